import { describe, expect, it } from 'vitest';
import { reconcileReplicaSet } from './reconcile-replica-set.js';
import { podFromTemplate } from './replica-set-pods.js';
import { NOW, deployment, podOf, replicaSetOf } from './testing/workloads.js';

const rs = replicaSetOf(deployment(3), 3);

describe('reconcileReplicaSet', () => {
  it('creates the missing pods and reports the ones it has', () => {
    const plan = reconcileReplicaSet(rs, [podOf(rs, 'a')], NOW);
    expect(plan.create).toBe(2);
    expect(plan.remove).toEqual([]);
    expect(plan.status).toEqual({
      replicas: 1,
      fullyLabeledReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      observedGeneration: 1,
    });
  });

  it('does nothing when the count is right', () => {
    const pods = ['a', 'b', 'c'].map((n) => podOf(rs, n));
    expect(reconcileReplicaSet(rs, pods, NOW)).toMatchObject({ create: 0, remove: [] });
  });

  it('replaces finished and terminating pods without counting them', () => {
    const pods = [podOf(rs, 'a'), podOf(rs, 'b', { phase: 'Failed' }), podOf(rs, 'c', { deleting: true })];
    const plan = reconcileReplicaSet(rs, pods, NOW);
    expect(plan.create).toBe(2);
    expect(plan.status.replicas).toBe(1);
  });

  it('deletes unscheduled, then not ready, then newest pods first', () => {
    const small = { ...rs, spec: { ...rs.spec, replicas: 1 } };
    const pods = [
      podOf(rs, 'old-ready', { created: '2026-01-01T09:00:00Z' }),
      podOf(rs, 'new-ready', { created: '2026-01-01T11:30:00Z' }),
      podOf(rs, 'not-ready', { ready: false }),
      podOf(rs, 'unscheduled', { node: '', phase: 'Pending', ready: false }),
    ];
    const plan = reconcileReplicaSet(small, pods, NOW);
    expect(plan.remove.map((p) => p.metadata.name)).toEqual(['unscheduled', 'not-ready', 'new-ready']);
  });

  it('prefers a pod with more restarts among equally ready ones', () => {
    const one = { ...rs, spec: { ...rs.spec, replicas: 1 } };
    const t = '2026-01-01T09:00:00Z';
    const plan = reconcileReplicaSet(
      one,
      [podOf(rs, 'calm', { created: t }), podOf(rs, 'flaky', { created: t, restarts: 3 })],
      NOW,
    );
    expect(plan.remove.map((p) => p.metadata.name)).toEqual(['flaky']);
  });

  it('counts a pod available only after minReadySeconds', () => {
    const slow = { ...rs, spec: { ...rs.spec, minReadySeconds: 30 } };
    const pods = [
      podOf(rs, 'a', { created: '2026-01-01T11:59:50Z' }),
      podOf(rs, 'b', { created: '2026-01-01T11:00:00Z' }),
    ];
    const plan = reconcileReplicaSet(slow, pods, NOW);
    expect(plan.status).toMatchObject({ readyReplicas: 2, availableReplicas: 1 });
  });
});

describe('podFromTemplate', () => {
  it('makes a defaulted pod controlled by the ReplicaSet with its template labels', () => {
    const pod = podFromTemplate(rs, `${rs.metadata.name}-abcde`, 'pod-uid', NOW);
    expect(pod.metadata).toMatchObject({
      name: `${rs.metadata.name}-abcde`,
      generateName: `${rs.metadata.name}-`,
      namespace: 'default',
      uid: 'pod-uid',
      creationTimestamp: '2026-01-01T12:00:00Z',
      labels: rs.spec.template.metadata?.labels,
      ownerReferences: [{ kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true }],
    });
    expect(pod.spec.restartPolicy).toBe('Always');
    expect(pod.status?.phase).toBe('Pending');
  });
});
