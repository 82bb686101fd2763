import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetnsCommandError } from './errors.js';
import { addNetns, deleteLink, deleteNetns, ipIn, linkExists, netnsExists } from './netns.js';
import {
  attachNodeNetns,
  detachNodeNetns,
  ensurePodBridge,
  findL2Network,
  nodeVethName,
  podBridgeMac,
} from './node-attach.js';
import { run } from './run.js';

const CLUSTER_CIDRS = ['10.244.0.0/16', '10.96.0.0/12'];
const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'infra', 'docker', 'unreachable-routes.sh');

/**
 * The kernel's route choice for `address` inside `netns` (`ip route get`, no packet sent):
 * an `unreachable` route answers EHOSTUNREACH, "No route to host".
 */
async function routeGet(netns: string, address: string): Promise<string> {
  try {
    return (await ipIn(netns, ['route', 'get', address])).stdout.trim();
  } catch (err) {
    return `error: ${(err as NetnsCommandError).stderr.trim()}`;
  }
}

/** Checks in `netns` that unassigned pod and service addresses hit the unreachable routes. */
async function expectUnassignedUnreachable(netns: string): Promise<void> {
  for (const address of ['10.244.200.7', '10.96.0.10', '10.111.255.254']) {
    expect(await routeGet(netns, address), address).toBe('error: RTNETLINK answers: No route to host');
  }
  const routes = (await ipIn(netns, ['-4', 'route', 'show'])).stdout;
  expect(routes).toContain('unreachable 10.244.0.0/16');
  expect(routes).toContain('unreachable 10.96.0.0/12');
  // Outside the cluster's ranges the default route still applies.
  expect(await routeGet(netns, '10.112.0.1')).toMatch(/via 10\.251\.\d+\.1 dev eth0/);
}

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

    await attachNodeNetns({ netns, network, vethName: veth, address: '10.251.77.40/24', clusterCidrs: CLUSTER_CIDRS });
    const routes = await ipIn(netns, ['-4', 'route', 'show']);
    expect(routes.stdout).toContain('default via 10.251.77.1 dev eth0');
    await run('ip', ['netns', 'exec', netns, 'busybox', 'ping', '-c', '1', '-W', '2', '10.251.77.1']);
    await expectUnassignedUnreachable(netns);

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

    // Assigned addresses keep their more specific routes: the pod bridge, a host-gw route
    // to another node's pod CIDR, a ClusterIP the proxy holds on lo (local table).
    expect(await routeGet(netns, '10.244.9.5')).toMatch(/^10\.244\.9\.5 dev cbr0 src 10\.244\.9\.1/);
    await ipIn(netns, ['route', 'replace', '10.244.10.0/24', 'via', '10.251.77.50', 'dev', 'eth0']);
    expect(await routeGet(netns, '10.244.10.5')).toMatch(/^10\.244\.10\.5 via 10\.251\.77\.50 dev eth0/);
    await ipIn(netns, ['addr', 'add', '10.96.0.10/32', 'dev', 'lo']);
    expect(await routeGet(netns, '10.96.0.10')).toMatch(/^local 10\.96\.0\.10 dev lo/);
    expect(await routeGet(netns, '10.96.0.11')).toBe('error: RTNETLINK answers: No route to host');
    expect(await routeGet(netns, '10.244.11.5')).toBe('error: RTNETLINK answers: No route to host');

    await detachNodeNetns({ netns, bridgeNetns: undefined, vethName: veth });
    expect(await netnsExists(netns)).toBe(false);
    expect(await linkExists(undefined, veth)).toBe(false);
  });

  it('refuses an address that is reached through neither a bridge nor a kemu underlay', async () => {
    await expect(findL2Network('127.0.0.1')).rejects.toThrow(/neither a Linux bridge nor a kemu underlay/);
  });
});

// A compose node container is a netns with docker's default route; node.sh runs the script.
describe.skipIf(process.getuid?.() !== 0)('infra/docker/unreachable-routes.sh in a netns with a default route', () => {
  const id = randomBytes(2).toString('hex');
  const netns = `kt-ur-${id}`;

  afterAll(() => deleteNetns(netns));

  it('makes unassigned pod and service addresses unreachable, with the defaults and with configured CIDRs', async () => {
    await addNetns(netns);
    await ipIn(netns, ['link', 'set', 'dev', 'lo', 'up']);
    await ipIn(netns, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
    await ipIn(netns, ['addr', 'add', '10.251.78.2/24', 'dev', 'eth0']);
    await ipIn(netns, ['link', 'set', 'dev', 'eth0', 'up']);
    await ipIn(netns, ['route', 'add', 'default', 'via', '10.251.78.1', 'dev', 'eth0']);
    expect(await routeGet(netns, '10.244.200.7')).toMatch(/via 10\.251\.78\.1 dev eth0/);

    const env = { ...process.env, KEMU_CLUSTER_CIDR: '', KEMU_SERVICE_CIDR: '' };
    delete env.KEMU_CLUSTER_CIDR;
    delete env.KEMU_SERVICE_CIDR;
    await run('ip', ['netns', 'exec', netns, 'sh', SCRIPT], { env });
    await run('ip', ['netns', 'exec', netns, 'sh', SCRIPT], { env }); // idempotent
    await expectUnassignedUnreachable(netns);

    await run('ip', ['netns', 'exec', netns, 'sh', SCRIPT], {
      env: { ...env, KEMU_CLUSTER_CIDR: '10.40.0.0/16', KEMU_SERVICE_CIDR: '10.50.0.0/16' },
    });
    expect(await routeGet(netns, '10.40.3.3')).toBe('error: RTNETLINK answers: No route to host');
    expect(await routeGet(netns, '10.50.0.10')).toBe('error: RTNETLINK answers: No route to host');
  });
});
