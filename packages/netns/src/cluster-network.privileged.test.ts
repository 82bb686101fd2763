import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podNetnsName, subnetIndexFor } from './cluster-layout.js';
import { bridgeMac, createClusterNetwork, deleteClusterNetwork } from './cluster-network.js';
import { ipIn, linkExists, listNetns, netnsPids } from './netns.js';
import { createPodNetwork, deletePodNetwork } from './pod-network.js';
import { run } from './run.js';
import { startPongServer, tcpRequest } from './testing/tcp.js';

const CLUSTER = 'ktcl';
const K = subnetIndexFor(CLUSTER);
const ours = async () => (await listNetns()).filter((n) => n.startsWith(`kemu-${CLUSTER}-`)).sort();

describe('createClusterNetwork', () => {
  beforeAll(async () => {
    await deleteClusterNetwork({ cluster: CLUSTER });
  });

  afterAll(async () => {
    await deleteClusterNetwork({ cluster: CLUSTER });
  });

  it('builds the underlay, host veth and node netns idempotently', async () => {
    await createClusterNetwork({ cluster: CLUSTER, nodes: 3, subnetIndex: K });
    const layout = await createClusterNetwork({ cluster: CLUSTER, nodes: 3, subnetIndex: K });
    expect(layout.hostIp).toBe(`10.250.${K}.1`);
    expect(await ours()).toEqual(['kemu-ktcl-node-1', 'kemu-ktcl-node-2', 'kemu-ktcl-node-3', 'kemu-ktcl-ul']);
    const { stdout: hostAddr } = await ipIn(undefined, ['-4', '-o', 'addr', 'show', 'dev', 'km-ktcl']);
    expect(hostAddr).toContain(`10.250.${K}.1/24`);
    const { stdout: eth0 } = await ipIn('kemu-ktcl-node-2', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(eth0).toContain(`10.250.${K}.12/24`);
    const { stdout: routes } = await ipIn('kemu-ktcl-node-2', ['route', 'show']);
    expect(routes).toContain(`10.244.1.0/24 via 10.250.${K}.11 dev eth0`);
    expect(routes).toContain(`10.244.3.0/24 via 10.250.${K}.13 dev eth0`);
    const { stdout: fwd } = await run('ip', [
      'netns',
      'exec',
      'kemu-ktcl-node-2',
      'cat',
      '/proc/sys/net/ipv4/ip_forward',
    ]);
    expect(fwd.trim()).toBe('1');
  });

  it('routes node 1 to node 3 cbr0 through the underlay, and nodes to the host', async () => {
    await createClusterNetwork({ cluster: CLUSTER, nodes: 3, subnetIndex: K });
    const s3 = await startPongServer('kemu-ktcl-node-3', '10.244.3.1', 9101, 'node-3');
    const host = await startPongServer(undefined, `10.250.${K}.1`, 9102, 'host');
    try {
      expect(await tcpRequest('kemu-ktcl-node-1', '10.244.3.1', 9101)).toBe('pong node-3');
      expect(await tcpRequest('kemu-ktcl-node-2', `10.250.${K}.1`, 9102)).toBe('pong host');
    } finally {
      s3.stop();
      host.stop();
    }
  });

  it('routes a pod on node 1 to a pod on node 3', async () => {
    await createClusterNetwork({ cluster: CLUSTER, nodes: 3, subnetIndex: K });
    const p1 = podNetnsName(CLUSTER, 'aaaaaaaa-0000-0000-0000-000000000001');
    const p3 = podNetnsName(CLUSTER, 'bbbbbbbb-0000-0000-0000-000000000003');
    await createPodNetwork({
      podNetns: p1,
      nodeNetns: 'kemu-ktcl-node-1',
      hostVeth: 'vaaaaaaaa',
      bridge: 'cbr0',
      ip: '10.244.1.5',
      prefixLength: 24,
      gateway: '10.244.1.1',
    });
    await createPodNetwork({
      podNetns: p3,
      nodeNetns: 'kemu-ktcl-node-3',
      hostVeth: 'vbbbbbbbb',
      bridge: 'cbr0',
      ip: '10.244.3.7',
      prefixLength: 24,
      gateway: '10.244.3.1',
    });
    const server = await startPongServer(p3, '10.244.3.7', 8080, 'pod-3');
    try {
      expect(await tcpRequest(p1, '10.244.3.7', 8080)).toBe('pong pod-3');
    } finally {
      server.stop();
    }
  });

  it('keeps the pod gateway MAC fixed when a pod leaves the bridge', async () => {
    await createClusterNetwork({ cluster: CLUSTER, nodes: 1, subnetIndex: K });
    const mac = async () => (await ipIn('kemu-ktcl-node-1', ['-o', 'link', 'show', 'cbr0'])).stdout;
    const pods = ['00000001', '00000002'].map((hex) => ({
      podNetns: podNetnsName(CLUSTER, `${hex}-0000-0000-0000-00000000000a`),
      nodeNetns: 'kemu-ktcl-node-1',
      hostVeth: `v${hex}`,
      bridge: 'cbr0',
      ip: `10.244.1.${Number(hex)}0`,
      prefixLength: 24,
      gateway: '10.244.1.1',
    }));
    for (const p of pods) await createPodNetwork(p);
    expect(await mac()).toContain(`link/ether ${bridgeMac(K, 1)}`);
    await deletePodNetwork(pods[0]!);
    expect(await mac()).toContain(`link/ether ${bridgeMac(K, 1)}`);
    await deletePodNetwork(pods[1]!);
  });

  it('deletes every netns of the cluster, its processes and the host veth', async () => {
    await createClusterNetwork({ cluster: CLUSTER, nodes: 3, subnetIndex: K });
    await createPodNetwork({
      podNetns: podNetnsName(CLUSTER, 'cccccccc0000'),
      nodeNetns: 'kemu-ktcl-node-2',
      hostVeth: 'vcccccccc',
      bridge: 'cbr0',
      ip: '10.244.2.9',
      prefixLength: 24,
      gateway: '10.244.2.1',
    });
    const lingering = await startPongServer('kemu-ktcl-node-2', '10.244.2.1', 9103, 'x');
    const exited = new Promise((r) => lingering.process.once('exit', r));
    expect((await netnsPids('kemu-ktcl-node-2')).length).toBeGreaterThan(0);
    await deleteClusterNetwork({ cluster: CLUSTER });
    await deleteClusterNetwork({ cluster: CLUSTER });
    await exited;
    expect(await ours()).toEqual([]);
    expect(await linkExists(undefined, 'km-ktcl')).toBe(false);
  });
});
