import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteLink, ipIn, linkExists, netnsExists } from './netns.js';
import {
  attachNodeNetns,
  detachNodeNetns,
  ensurePodBridge,
  findL2Network,
  nodeVethName,
  podBridgeMac,
} from './node-attach.js';
import { run } from './run.js';

describe('nodeVethName and podBridgeMac', () => {
  it('names fit in 15 characters and are stable per cluster and node', () => {
    expect(nodeVethName('abc', 'node-4')).toMatch(/^kn-[0-9a-f]{8}$/);
    expect(nodeVethName('abc', 'node-4')).toBe(nodeVethName('abc', 'node-4'));
    expect(nodeVethName('abc', 'node-4')).not.toBe(nodeVethName('abc', 'node-5'));
    expect(podBridgeMac('10.244.7.0/24')).toBe('02:6b:70:f4:07:01');
  });
});

// A Linux bridge in the host netns, as a docker network's br-xxxx is: a node attaches to it.
describe('attaching a node netns to a bridge of the host netns', () => {
  const id = randomBytes(2).toString('hex');
  const bridge = `kt-br${id}`;
  const netns = `kt-att-${id}`;
  const veth = `kt-v${id}`;

  beforeAll(async () => {
    await ipIn(undefined, ['link', 'add', 'name', bridge, 'type', 'bridge']);
    await ipIn(undefined, ['addr', 'add', '10.251.77.1/24', 'dev', bridge]);
    await ipIn(undefined, ['link', 'set', bridge, 'up']);
  });

  afterAll(async () => {
    await detachNodeNetns({ netns, bridgeNetns: undefined, vethName: veth });
    await deleteLink(undefined, bridge);
  });

  it('finds the bridge by the host address on it, attaches a netns with address and default route, and detaches it', async () => {
    const network = await findL2Network('10.251.77.1');
    expect(network).toEqual({ bridgeNetns: undefined, bridge, hostAddress: '10.251.77.1/24', gateway: '10.251.77.1' });
    expect(await findL2Network('10.251.77.9')).toMatchObject({ bridge });

    await attachNodeNetns({ netns, network, vethName: veth, address: '10.251.77.40/24' });
    const routes = await ipIn(netns, ['-4', 'route', 'show']);
    expect(routes.stdout).toContain('default via 10.251.77.1 dev eth0');
    await run('ip', ['netns', 'exec', netns, 'busybox', 'ping', '-c', '1', '-W', '2', '10.251.77.1']);

    await ensurePodBridge({
      netns,
      bridge: 'cbr0',
      gatewayAddress: '10.244.9.1/24',
      mac: podBridgeMac('10.244.9.0/24'),
    });
    const cbr0 = await ipIn(netns, ['link', 'show', 'dev', 'cbr0']);
    expect(cbr0.stdout).toContain('02:6b:70:f4:09:01');
    const fwd = await run('ip', ['netns', 'exec', netns, 'sysctl', '-n', 'net.ipv4.ip_forward']);
    expect(fwd.stdout.trim()).toBe('1');

    await detachNodeNetns({ netns, bridgeNetns: undefined, vethName: veth });
    expect(await netnsExists(netns)).toBe(false);
    expect(await linkExists(undefined, veth)).toBe(false);
  });

  it('refuses an address that is reached through neither a bridge nor a kemu underlay', async () => {
    await expect(findL2Network('127.0.0.1')).rejects.toThrow(/neither a Linux bridge nor a kemu underlay/);
  });
});
