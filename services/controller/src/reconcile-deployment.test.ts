import { type Deployment, type ReplicaSet, REVISION_ANNOTATION } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { podTemplateHash } from './pod-template-hash.js';
import { reconcileDeployment } from './reconcile-deployment.js';
import { NOW, deployment, replicaSetOf } from './testing/workloads.js';

// Applies a plan's ReplicaSet writes and lets every ReplicaSet report its size as available.
function settle(rss: ReplicaSet[], d: Deployment): ReplicaSet[] {
  const plan = reconcileDeployment(d, rss, NOW);
  let next = rss.map((rs) => plan.update.find((u) => u.metadata.name === rs.metadata.name) ?? rs);
  if (plan.create) next = [...next, { ...plan.create, metadata: { ...plan.create.metadata, uid: 'new-uid' } }];
  next = next.filter((rs) => !plan.remove.includes(rs));
  return next;
}

function report(rs: ReplicaSet, available: number): ReplicaSet {
  return { ...rs, status: { replicas: available, readyReplicas: available, availableReplicas: available } };
}

describe('reconcileDeployment', () => {
  it('creates <name>-<pod-template-hash> with the hash on its selector, template and name', () => {
    const d = deployment(3);
    const plan = reconcileDeployment(d, [], NOW);
    const hash = podTemplateHash(d.spec.template);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(plan.create?.metadata).toMatchObject({
      name: `shop-${hash}`,
      labels: { app: 'shop', 'pod-template-hash': hash },
      annotations: { [REVISION_ANNOTATION]: '1' },
      ownerReferences: [{ kind: 'Deployment', name: 'shop', uid: 'd-uid', controller: true }],
    });
    expect(plan.create?.spec.replicas).toBe(3);
    expect(plan.create?.spec.selector.matchLabels).toEqual({ app: 'shop', 'pod-template-hash': hash });
    expect(plan.create?.spec.template.metadata?.labels).toEqual({ app: 'shop', 'pod-template-hash': hash });
  });

  it('hashes equal templates equally and different images differently', () => {
    expect(podTemplateHash(deployment(3).spec.template)).toBe(podTemplateHash(deployment(5).spec.template));
    expect(podTemplateHash(deployment(3).spec.template)).not.toBe(
      podTemplateHash(deployment(3, 'nginx:2').spec.template),
    );
  });

  it('reports a finished rollout as kubectl rollout status expects it', () => {
    const d = deployment(3);
    const plan = reconcileDeployment(d, [replicaSetOf(d, 3)], NOW);
    expect(plan.create).toBeUndefined();
    expect(plan.update).toEqual([]);
    expect(plan.deployment?.metadata.annotations?.[REVISION_ANNOTATION]).toBe('1');
    expect(plan.deployment?.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 0,
    });
    const conditions = plan.deployment?.status?.conditions ?? [];
    expect(conditions.find((c) => c.type === 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    expect(conditions.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${replicaSetOf(d, 3).metadata.name}" has successfully progressed.`,
    });
  });

  it('writes nothing once status and revision are recorded', () => {
    const d = deployment(3);
    const rss = [replicaSetOf(d, 3)];
    const done = reconcileDeployment(d, rss, NOW).deployment as Deployment;
    expect(reconcileDeployment(done, rss, new Date(NOW.getTime() + 60_000))).toEqual({ update: [], remove: [] });
  });

  it.each([
    [3, 5],
    [5, 2],
  ])('scales the only ReplicaSet from %i to %i directly', (from, to) => {
    const rs = replicaSetOf(deployment(from), from);
    const plan = reconcileDeployment(deployment(to), [rs], NOW);
    expect(plan.update.map((u) => [u.metadata.name, u.spec.replicas, u.metadata.generation])).toEqual([
      [rs.metadata.name, to, 2],
    ]);
  });

  it('starts a rolling update with one surge pod and the next revision', () => {
    const old = replicaSetOf(deployment(3), 3);
    const plan = reconcileDeployment(deployment(3, 'nginx:2'), [old], NOW);
    expect(plan.create?.spec.replicas).toBe(1);
    expect(plan.create?.metadata.annotations?.[REVISION_ANNOTATION]).toBe('2');
  });

  it('scales an old ReplicaSet down only when a new pod is available', () => {
    const d = deployment(3, 'nginx:2');
    const old = replicaSetOf(deployment(3), 3);
    const waiting = replicaSetOf(d, 1, 0, { revision: 2 });
    const stalled = reconcileDeployment(d, [old, waiting], NOW);
    expect(stalled.update).toEqual([]);
    expect(stalled.deployment?.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
      'ReplicaSetUpdated',
    );
    const plan = reconcileDeployment(d, [old, replicaSetOf(d, 1, 1, { revision: 2 })], NOW);
    expect(plan.update.map((u) => [u.metadata.name, u.spec.replicas])).toEqual([[old.metadata.name, 2]]);
  });

  it('rolls 3 replicas over within maxSurge 1 and maxUnavailable 0 until the old ReplicaSet is empty', () => {
    const d = deployment(3, 'nginx:2');
    let rss = [replicaSetOf(deployment(3), 3)];
    for (let i = 0; i < 20; i++) {
      rss = settle(rss, d);
      const total = rss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      expect(total).toBeLessThanOrEqual(4);
      rss = rss.map((rs) => report(rs, rs.spec.replicas ?? 0));
    }
    const sizes = Object.fromEntries(rss.map((rs) => [rs.spec.template.spec.containers[0]?.image, rs.spec.replicas]));
    expect(sizes).toEqual({ nginx: 0, 'nginx:2': 3 });
    const final = reconcileDeployment(d, rss, NOW);
    expect(final.deployment?.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
  });

  it('deletes empty old ReplicaSets beyond revisionHistoryLimit, oldest first', () => {
    const d = deployment(1, 'v4', { revisionHistoryLimit: 1 });
    const olds = ['v1', 'v2', 'v3'].map((image, i) =>
      report(replicaSetOf(deployment(0, image), 0, 0, { revision: i + 1 }), 0),
    );
    const plan = reconcileDeployment(d, [...olds, replicaSetOf(d, 1, 1, { revision: 4 })], NOW);
    expect(plan.remove.map((rs) => rs.spec.template.spec.containers[0]?.image)).toEqual(['v1', 'v2']);
  });

  it('gives a ReplicaSet that becomes current again the next revision (rollback)', () => {
    const d = deployment(2);
    const back = report(replicaSetOf(d, 0, 0, { revision: 1 }), 0);
    const other = replicaSetOf(deployment(2, 'nginx:2'), 2, 2, { revision: 2 });
    const plan = reconcileDeployment(d, [back, other], NOW);
    const updated = plan.update.find((u) => u.metadata.name === back.metadata.name);
    expect(updated?.metadata.annotations?.[REVISION_ANNOTATION]).toBe('3');
  });

  it('with Recreate, scales old ReplicaSets to 0 before the new one grows', () => {
    const recreate = { strategy: { type: 'Recreate' as const } };
    const d = deployment(3, 'nginx:2', recreate);
    const old = replicaSetOf(deployment(3), 3);
    expect(reconcileDeployment(d, [old], NOW).create?.spec.replicas).toBe(0);
    const fresh = replicaSetOf(d, 0, 0, { revision: 2 });
    const first = reconcileDeployment(d, [old, fresh], NOW);
    expect(first.update.map((u) => [u.metadata.name, u.spec.replicas])).toEqual([[old.metadata.name, 0]]);
    const draining = { ...old, spec: { ...old.spec, replicas: 0 } };
    expect(reconcileDeployment(d, [draining, fresh], NOW).update).toEqual([]);
    const gone = report(draining, 0);
    expect(reconcileDeployment(d, [gone, fresh], NOW).update.map((u) => u.spec.replicas)).toEqual([3]);
  });

  describe('progress deadline', () => {
    const d = deployment(3, 'nginx:2', { progressDeadlineSeconds: 600 });
    const old = replicaSetOf(deployment(3), 3);
    const stuck = replicaSetOf(d, 1, 0, { revision: 2 });
    const since = '2026-01-01T11:00:00Z';
    const recorded = (available: number): Deployment => ({
      ...d,
      metadata: { ...d.metadata, annotations: { [REVISION_ANNOTATION]: '2' } },
      status: {
        ...reconcileDeployment(d, [old, replicaSetOf(d, 1, available, { revision: 2 })], NOW).deployment?.status,
        conditions: [
          {
            type: 'Progressing',
            status: 'True',
            reason: 'ReplicaSetUpdated',
            message: `ReplicaSet "${stuck.metadata.name}" is progressing.`,
            lastUpdateTime: since,
            lastTransitionTime: since,
          },
        ],
      },
    });
    const progressing = (plan: ReturnType<typeof reconcileDeployment>) =>
      plan.deployment?.status?.conditions?.find((c) => c.type === 'Progressing');

    it('marks a rollout without progress for progressDeadlineSeconds as ProgressDeadlineExceeded', () => {
      expect(progressing(reconcileDeployment(recorded(0), [old, stuck], NOW))).toMatchObject({
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${stuck.metadata.name}" has timed out progressing.`,
      });
    });

    it('moves lastUpdateTime instead when a new pod was created and became ready', () => {
      const started = { ...stuck, status: { replicas: 1, readyReplicas: 1, availableReplicas: 0 } };
      const moving = reconcileDeployment(recorded(0), [old, started], NOW);
      expect(progressing(moving)).toMatchObject({
        status: 'True',
        reason: 'ReplicaSetUpdated',
        lastUpdateTime: '2026-01-01T12:00:00Z',
        lastTransitionTime: since,
      });
    });

    it('leaves a rollout within its deadline as it is', () => {
      const early = new Date('2026-01-01T11:05:00Z');
      const plan = reconcileDeployment(recorded(0), [old, stuck], early);
      expect(progressing(plan) ?? recorded(0).status?.conditions?.[0]).toMatchObject({
        reason: 'ReplicaSetUpdated',
        lastUpdateTime: since,
      });
    });
  });
});
