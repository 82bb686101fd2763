/**
 * Event-log snapshots in a real cluster: the controller writes them (every 10 events
 * here), a killed apiserver restarted by the supervisor starts from one, and kubectl
 * still sees and updates the same objects (the compare-and-set bases came back too).
 */
import { eventually } from '@kemu/testkit';
import { useCluster } from './use-cluster.js';
import { beforeAll, describe, expect, it } from 'vitest';

function count(text: string, msg: string): number {
  return text.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
}

describe('event-log snapshots in a cluster', () => {
  const cluster = useCluster({
    name: 'snap',
    nodes: 1,
    env: { KEMU_SNAPSHOT_EVERY_EVENTS: '10', KEMU_SNAPSHOT_INTERVAL_SECONDS: '0', KEMU_SNAPSHOT_KEEP: '2' },
  });

  beforeAll(async () => {}, 180_000);

  it('the controller writes snapshots and a restarted apiserver starts from one', async () => {
    for (const p of ['p1', 'p2', 'p3']) await cluster.kubectlOk(['run', p, '--image=nginx', '--restart=Never']);
    await eventually(
      async () => count((await cluster.kemu(['logs', 'controller'])).stdout, 'event-log snapshot written') >= 1,
      { timeoutMs: 20_000, what: 'a snapshot written by the controller' },
    );
    const apiserverLog = async () => (await cluster.kemu(['logs', 'apiserver'])).stdout;
    expect(count(await apiserverLog(), 'starting from event-log snapshot')).toBe(0);

    const victim = (await cluster.pids()).apiserver as number;
    expect(victim).toBeGreaterThan(0);
    process.kill(victim, 'SIGKILL');
    await eventually(async () => ((await cluster.pids()).apiserver ?? victim) !== victim, {
      timeoutMs: 15_000,
      what: 'the apiserver restarted',
    });
    await eventually(async () => count(await apiserverLog(), 'starting from event-log snapshot') >= 1, {
      timeoutMs: 15_000,
      what: 'the restarted apiserver starting from a snapshot',
    });
    const pods = await eventually(
      async () => {
        const r = await cluster.kubectl(['get', 'pods', '-o', 'name']);
        return r.code === 0 && r.stdout;
      },
      { timeoutMs: 15_000, what: 'kubectl get pods on the restarted apiserver' },
    );
    expect(pods.trim().split('\n').sort()).toEqual(['pod/p1', 'pod/p2', 'pod/p3']);
    // Updates need the right compare-and-set base, restored from the snapshot's sequences.
    await cluster.kubectlOk(['label', 'pod', 'p1', 'restored=yes']);
    expect(await cluster.kubectlOk(['get', 'pod', 'p1', '-o', 'jsonpath={.metadata.labels.restored}'])).toBe('yes');
    await cluster.kubectlOk(['delete', 'pod', 'p2', '--wait=false']);
    await cluster.kubectlOk(['run', 'p4', '--image=nginx', '--restart=Never']);
  }, 90_000);
});
