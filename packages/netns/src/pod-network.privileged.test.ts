import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsCommandError } from './errors.js';
import { addNetns, deleteNetns, ipBatch, ipIn, linkExists, netnsExists } from './netns.js';
import { createPodNetwork, deletePodNetwork } from './pod-network.js';
import { run } from './run.js';
import { startPongServer, tcpRequest } from './testing/tcp.js';

const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));

const NODE = 'kt-cl-pnode';
const podA = {
  podNetns: 'kt-cl-pod-a',
  hostVeth: 'kt-cl-va',
  nodeNetns: NODE,
  bridge: 'cbr0',
  ip: '10.244.77.2',
  prefixLength: 24,
  gateway: '10.244.77.1',
};
const podB = { ...podA, podNetns: 'kt-cl-pod-b', hostVeth: 'kt-cl-vb', ip: '10.244.77.3' };

describe('createPodNetwork', () => {
  beforeAll(async () => {
    await deleteNetns(NODE);
    await addNetns(NODE);
    await ipIn(NODE, ['link', 'add', 'name', 'cbr0', 'type', 'bridge']);
    await ipIn(NODE, ['addr', 'add', '10.244.77.1/24', 'dev', 'cbr0']);
    await ipIn(NODE, ['link', 'set', 'cbr0', 'up']);
  });

  afterAll(async () => {
    await deletePodNetwork(podA);
    await deletePodNetwork(podB);
    await deleteNetns(NODE);
  });

  it('builds a pod netns whose eth0 reaches the node bridge and other pods', async () => {
    await createPodNetwork(podA);
    await createPodNetwork(podA);
    await createPodNetwork(podB);
    const { stdout: addr } = await ipIn(podA.podNetns, ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(addr).toContain('10.244.77.2/24');
    const { stdout: route } = await ipIn(podA.podNetns, ['route', 'show', 'default']);
    expect(route).toContain('via 10.244.77.1 dev eth0');
    const { stdout: master } = await ipIn(NODE, ['-o', 'link', 'show', 'dev', podA.hostVeth]);
    expect(master).toContain('master cbr0');
    const { stdout: port } = await ipIn(NODE, ['-d', 'link', 'show', 'dev', podA.hostVeth]);
    expect(port).toContain('hairpin on');

    const server = await startPongServer(podB.podNetns, '10.244.77.3', 8080, 'b');
    try {
      expect(await tcpRequest(podA.podNetns, '10.244.77.3', 8080)).toBe('pong b');
    } finally {
      server.stop();
    }
    const gw = await startPongServer(NODE, '10.244.77.1', 8081, 'node');
    try {
      expect(await tcpRequest(podA.podNetns, '10.244.77.1', 8081)).toBe('pong node');
    } finally {
      gw.stop();
    }
  });

  it('builds it from inside the node netns (no nodeNetns) through a command runner, as a node-agent does', async () => {
    const podC = { ...podA, podNetns: 'kt-cl-pod-c', hostVeth: 'kt-cl-vc', ip: '10.244.77.4', nodeNetns: undefined };
    // In the child's own mount namespace (ip netns exec makes one), where the new netns is visible.
    const script = `
      import { execFileSync } from 'node:child_process';
      import { createCommandRunner, createPodNetwork, deletePodNetwork } from ${JSON.stringify(distIndex)};
      const o = ${JSON.stringify(podC)};
      const runner = createCommandRunner();
      await createPodNetwork(o, runner.run);
      runner.close();
      const ip = (...args) => execFileSync('ip', args, { encoding: 'utf8' });
      const out = {
        addr: ip('-n', o.podNetns, '-4', '-o', 'addr', 'show', 'dev', 'eth0'),
        route: ip('-n', o.podNetns, 'route', 'show', 'default'),
        host: ip('-d', '-o', 'link', 'show', 'dev', o.hostVeth),
      };
      await deletePodNetwork(o);
      console.log(JSON.stringify(out));`;
    const { stdout } = await run('ip', ['netns', 'exec', NODE, process.execPath, '--input-type=module', '-e', script]);
    const out = JSON.parse(stdout) as { addr: string; route: string; host: string };
    expect(out.addr).toContain('10.244.77.4/24');
    expect(out.route).toContain('via 10.244.77.1 dev eth0');
    expect(out.host).toContain('master cbr0');
    expect(out.host).toContain('hairpin on');
  });

  it('repairs a half-made veth pair', async () => {
    await createPodNetwork(podA);
    await ipIn(podA.podNetns, ['link', 'del', 'eth0']);
    expect(await linkExists(NODE, podA.hostVeth)).toBe(false);
    await createPodNetwork(podA);
    expect(await linkExists(podA.podNetns, 'eth0')).toBe(true);
    expect(await linkExists(NODE, podA.hostVeth)).toBe(true);
    expect((await ipIn(NODE, ['-d', 'link', 'show', 'dev', podA.hostVeth])).stdout).toContain('hairpin on');
  });

  it('completes a pod netns left empty (an agent that died right after ip netns add)', async () => {
    await deletePodNetwork(podA);
    await addNetns(podA.podNetns);
    await createPodNetwork(podA);
    const { stdout: route } = await ipIn(podA.podNetns, ['route', 'show', 'default']);
    expect(route).toContain('via 10.244.77.1 dev eth0');
    expect(await linkExists(NODE, podA.hostVeth)).toBe(true);
  });

  it('runs ip commands in one batch in order and stops at the first failure', async () => {
    const err = await ipBatch(NODE, [
      ['link', 'add', 'kt-cl-d1', 'type', 'bridge'],
      ['link', 'add', 'kt-cl-d1', 'type', 'bridge'],
      ['link', 'add', 'kt-cl-d2', 'type', 'bridge'],
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetnsCommandError);
    expect(await linkExists(NODE, 'kt-cl-d1')).toBe(true);
    expect(await linkExists(NODE, 'kt-cl-d2')).toBe(false);
    await ipIn(NODE, ['link', 'del', 'kt-cl-d1']);
  });

  it('deletes the veth and netns idempotently', async () => {
    await createPodNetwork(podA);
    await deletePodNetwork(podA);
    await deletePodNetwork(podA);
    expect(await netnsExists(podA.podNetns)).toBe(false);
    expect(await linkExists(NODE, podA.hostVeth)).toBe(false);
  });
});
