import type { KubeObject, Node, ObjectKey, Pod } from '@kemu/api';
import { getObject, listObjects } from '@kemu/eventlog';
import { type EventLogFixture, consistently, eventually, startEventLogFixture } from '@kemu/testkit';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ControllerManager, createControllerManager } from './controller-manager.js';

const key = (resource: string, namespace: string, name: string): ObjectKey => ({ resource, namespace, name });

function node(name: string, memory: string): Node {
  const t = new Date().toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: randomUUID(), creationTimestamp: t },
    spec: {},
    status: {
      allocatable: { cpu: '2', memory, pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: t, lastTransitionTime: t }],
    },
  };
}

function pod(name: string, memory: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: randomUUID(), creationTimestamp: new Date().toISOString() },
    spec: {
      terminationGracePeriodSeconds: 5,
      containers: [{ name: 'web', image: 'nginx', resources: { requests: { memory } } }],
    },
    status: { phase: 'Pending' },
  };
}

describe('scheduler and node lifecycle on a real event log', () => {
  let fx: EventLogFixture;
  let manager: ControllerManager | undefined;

  beforeEach(async () => {
    fx = await startEventLogFixture();
  });

  afterEach(async () => {
    await manager?.stop();
    manager = undefined;
    await fx.close();
  });

  async function startController(options: { nodeGraceMs?: number; podEvictionMs?: number } = {}): Promise<void> {
    const c = await fx.connectWithInformer('controller');
    manager = createControllerManager({ ...c, log: fx.log, nodeMonitorPeriodMs: 200, ...options });
    await manager.run();
  }

  const get = <T extends KubeObject>(resource: string, name: string, namespace = 'default') =>
    getObject(fx.informer.view, key(resource, namespace, name)) as T | undefined;

  it('fits pods by memory requests and schedules a waiting pod once another one frees room', async () => {
    await startController();
    await fx.api.put(key('nodes', '', 'node-1'), node('node-1', '4Gi'));
    await fx.api.put(key('pods', 'default', 'a'), pod('a', '3Gi'));
    await eventually(() => get<Pod>('pods', 'a')?.spec.nodeName === 'node-1', { what: 'a bound' });

    await fx.api.put(key('pods', 'default', 'b'), pod('b', '2Gi'));
    const unschedulable = await eventually(
      () => get<Pod>('pods', 'b')?.status?.conditions?.find((c) => c.reason === 'Unschedulable'),
      { what: 'b Unschedulable' },
    );
    expect(unschedulable.message).toBe(
      '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..',
    );
    await eventually(
      () =>
        listObjects(fx.informer.view, 'events', 'default').some(
          (e) => e.reason === 'FailedScheduling' && e.type === 'Warning' && e.involvedObject.name === 'b',
        ),
      { what: 'FailedScheduling event' },
    );

    await fx.api.remove(key('pods', 'default', 'a'), get<Pod>('pods', 'a') as Pod);
    await eventually(() => get<Pod>('pods', 'b')?.spec.nodeName === 'node-1', { what: 'b bound after a left' });
  }, 20_000);

  it('evicts the pods of a node that stays not ready past the toleration', async () => {
    await startController({ nodeGraceMs: 1_000, podEvictionMs: 1_500 });
    await fx.api.put(key('nodes', '', 'node-1'), node('node-1', '4Gi'));
    await fx.api.put(key('pods', 'default', 'web'), pod('web', '1Gi'));
    await eventually(() => get<Pod>('pods', 'web')?.spec.nodeName === 'node-1', { what: 'web bound' });

    // No heartbeat from now on.
    await eventually(
      () =>
        get<Node>('nodes', 'node-1', '')?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'Unknown'),
      { what: 'node Unknown' },
    );
    const unknownAt = Date.now();
    const evicted = await eventually(
      () => {
        const p = get<Pod>('pods', 'web');
        return p?.metadata.deletionTimestamp ? p : undefined;
      },
      { timeoutMs: 10_000, what: 'web evicted' },
    );
    // The transition time is stored to the second, so the toleration may end up to 1 s early.
    expect(Date.now() - unknownAt).toBeGreaterThanOrEqual(400);
    expect(evicted.metadata.deletionGracePeriodSeconds).toBe(5);
    expect(evicted.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager' }),
    );
    await eventually(
      () =>
        listObjects(fx.informer.view, 'events', 'default').some(
          (e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/web',
        ),
      { what: 'TaintManagerEviction event' },
    );
  }, 20_000);

  it('never evicts mirror pods and paces eviction rounds when evicted pods come straight back', async () => {
    await startController({ nodeGraceMs: 1_000, podEvictionMs: 500 });
    await fx.api.put(key('nodes', '', 'node-1'), node('node-1', '4Gi'));
    const mirror = pod('kube-proxy-node-1', '0');
    mirror.metadata.annotations = { 'kubernetes.io/config.mirror': mirror.metadata.uid as string };
    mirror.spec = { ...mirror.spec, nodeName: 'node-1', hostNetwork: true };
    await fx.api.put(key('pods', 'default', 'kube-proxy-node-1'), mirror);
    // A pod written again, bound to the node, the moment it is marked for deletion (as a
    // stale view of the node's pods would keep offering it to the controller).
    let evictions = 0;
    const again = async (p: Pod) => {
      evictions++;
      await fx.api.remove(key('pods', 'default', 'web'), p);
      await fx.api.put(key('pods', 'default', 'web'), { ...pod('web', '1Gi'), spec: { ...p.spec } });
    };
    const marked = (p: Pod) => {
      if (p.metadata.name === 'web' && p.metadata.deletionTimestamp) void again(p).catch(() => undefined);
    };
    const unsubscribe = fx.informer.on('pods', { onAdd: marked, onUpdate: (_, p) => marked(p) });
    try {
      await fx.api.put(key('pods', 'default', 'web'), {
        ...pod('web', '1Gi'),
        spec: { ...pod('web', '1Gi').spec, nodeName: 'node-1' },
      });
      await eventually(() => evictions >= 1, { timeoutMs: 10_000, what: 'web evicted once' });
      // Rounds after 1 s and 2 s more (backoff 1 s doubled): 3 or 4 rounds, not hundreds.
      await consistently(() => evictions <= 4, { forMs: 3_500, what: 'at most 4 eviction rounds' });
      expect(evictions).toBeGreaterThanOrEqual(2);
    } finally {
      unsubscribe();
    }
    const proxy = get<Pod>('pods', 'kube-proxy-node-1');
    expect(proxy?.metadata.deletionTimestamp).toBeUndefined();
    expect(proxy?.metadata.uid).toBe(mirror.metadata.uid);
  }, 20_000);
});
