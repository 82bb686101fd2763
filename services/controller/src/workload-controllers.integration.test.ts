import { type Deployment, type ObjectKey, type Pod, type ReplicaSet, defaultObject } from '@kemu/api';
import { type ObjectWriter, getObject, listObjects } from '@kemu/eventlog';
import { type EventLogFixture, consistently, eventually, startEventLogFixture } from '@kemu/testkit';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ControllerManager, createControllerManager } from './controller-manager.js';
import { isPodActive } from './replica-set-pods.js';

const key = (resource: string, name: string): ObjectKey => ({ resource, namespace: 'default', name });

function shop(replicas: number, image = 'nginx'): Deployment {
  return defaultObject<Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'shop',
      namespace: 'default',
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'shop' } },
      template: { metadata: { labels: { app: 'shop' } }, spec: { containers: [{ name: 'web', image }] } },
    },
  });
}

describe('the ReplicaSet and Deployment controllers', () => {
  let fx: EventLogFixture; // plays the apiserver and the node-agents
  let api: ObjectWriter;
  let manager: ControllerManager;

  const pods = () => listObjects(fx.informer.view, 'pods', 'default');
  const replicaSets = () => listObjects(fx.informer.view, 'replicasets', 'default');

  // What node-agents would report: every active pod Running and Ready.
  async function runAll(): Promise<void> {
    for (const p of pods().filter((x) => isPodActive(x) && x.status?.phase !== 'Running')) {
      await api.update(key('pods', p.metadata.name), (o) => ({
        ...o,
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
        },
      }));
    }
  }

  async function activeRunning(n: number, what: string): Promise<Pod[]> {
    return eventually(
      async () => {
        await runAll();
        const live = pods().filter(isPodActive);
        return live.length === n && live.every((p) => p.status?.phase === 'Running') && live;
      },
      { what, timeoutMs: 10_000 },
    );
  }

  beforeEach(async () => {
    fx = await startEventLogFixture({ component: 'apiserver' });
    api = fx.api;
    await api.put(
      { resource: 'namespaces', namespace: '', name: 'default' },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'default', uid: randomUUID() },
        status: { phase: 'Active' },
      },
    );
    manager = createControllerManager({ ...(await fx.connectWithInformer('controller')), log: fx.log });
    await manager.run();
  });
  afterEach(async () => {
    await manager.stop();
    await fx.close();
  });

  it('rolls a Deployment out, heals its pods and reports it complete', async () => {
    await api.put(key('deployments', 'shop'), shop(3));
    const first = await activeRunning(3, '3 pods running');
    const [rs] = replicaSets();
    for (const p of first) expect(p.metadata.name.startsWith(`${rs?.metadata.name}-`)).toBe(true);
    const done = await eventually(
      () => {
        const d = getObject(fx.informer.view, key('deployments', 'shop'));
        return d?.status?.availableReplicas === 3 && d.status.updatedReplicas === 3 && d;
      },
      { what: 'deployment status' },
    );
    expect(done.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');

    // A removed pod and a failed pod are both replaced; the failed one stays, as in Kubernetes.
    const [gone, failed] = first as [Pod, Pod];
    await api.remove(key('pods', gone.metadata.name), gone);
    await api.update(key('pods', failed.metadata.name), (o) => ({ ...o, status: { phase: 'Failed' } }));
    const healed = await activeRunning(3, 'replacements running');
    const names = healed.map((p) => p.metadata.name);
    expect(names).not.toContain(gone.metadata.name);
    expect(names).not.toContain(failed.metadata.name);
    expect(pods().find((p) => p.metadata.name === failed.metadata.name)?.status?.phase).toBe('Failed');
  });

  it('rolls a new template over and garbage-collects ReplicaSets and pods of a removed Deployment', async () => {
    await api.put(key('deployments', 'shop'), shop(2));
    await activeRunning(2, 'first template running');
    // As the apiserver's update would: the template changes and the generation moves.
    await api.update(key('deployments', 'shop'), (o) => ({
      ...o,
      metadata: { ...o.metadata, generation: 2 },
      spec: shop(2, 'nginx:2').spec,
    }));
    await eventually(
      async () => {
        await runAll();
        const live = pods().filter(isPodActive);
        const sizes = replicaSets()
          .map((rs) => rs.spec.replicas)
          .sort();
        return (
          live.length === 2 && live.every((p) => p.spec.containers[0]?.image === 'nginx:2') && sizes.join() === '0,2'
        );
      },
      { what: 'rolled over to nginx:2', timeoutMs: 10_000 },
    );
    // Removed without the apiserver's cascade: the controllers collect what it owned.
    await eventually(
      async () => {
        const d = getObject(fx.informer.view, key('deployments', 'shop')) as Deployment;
        return api.remove(key('deployments', 'shop'), d, Number(d.metadata.resourceVersion)).then(
          () => true,
          () => false,
        );
      },
      { what: 'deployment removed' },
    );
    await eventually(() => replicaSets().length === 0 && pods().length === 0, { what: 'all collected' });
  });

  it('adopts a matching orphan pod instead of creating one more', async () => {
    const orphan: Pod = defaultObject<Pod>({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'loose', namespace: 'default', uid: randomUUID(), labels: { tier: 'front' } },
      spec: { containers: [{ name: 'web', image: 'nginx' }] },
    });
    await api.put(key('pods', 'loose'), orphan);
    const rs = defaultObject<ReplicaSet>({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'front', namespace: 'default', uid: randomUUID(), generation: 1 },
      spec: {
        replicas: 2,
        selector: { matchLabels: { tier: 'front' } },
        template: { metadata: { labels: { tier: 'front' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      },
    });
    await api.put(key('replicasets', 'front'), rs);
    const live = await activeRunning(2, 'two pods of front');
    expect(live.map((p) => p.metadata.name)).toContain('loose');
    const loose = live.find((p) => p.metadata.name === 'loose');
    expect(loose?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'ReplicaSet', name: 'front', uid: rs.metadata.uid, controller: true }),
    ]);
  });

  it('creates no pods in a Terminating namespace', async () => {
    await api.put(key('deployments', 'shop'), shop(2));
    const [victim] = await activeRunning(2, 'two pods');
    await api.update({ resource: 'namespaces', namespace: '', name: 'default' }, (o) => ({
      ...o,
      metadata: { ...o.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
      status: { phase: 'Terminating' },
    }));
    await api.remove(key('pods', victim?.metadata.name ?? ''), victim as Pod);
    await eventually(() => pods().filter(isPodActive).length === 1, { what: 'the victim gone' });
    await manager.idle();
    await consistently(() => expect(pods().filter(isPodActive)).toHaveLength(1), {
      forMs: 1_000,
      what: 'no replacement pod',
    });
  });
});
