import { type Pod, type StatefulSet, defaultObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { findEqualRevision, newRevision, revisionTemplate, revisionsToPrune } from './controller-revisions.js';
import { reconcileStatefulSet } from './reconcile-stateful-set.js';
import { ordinalOf, statefulSetPod } from './stateful-set-pods.js';

const NOW = new Date('2026-01-01T12:00:00Z');
const REVS = { current: 'web-a', update: 'web-a' };

function set(replicas: number, spec: Partial<StatefulSet['spec']> = {}): StatefulSet {
  return defaultObject<StatefulSet>({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 's-uid', generation: 1 },
    spec: {
      replicas,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      ...spec,
    },
  });
}

function pod(s: StatefulSet, ordinal: number, o: { ready?: boolean; revision?: string; deleting?: boolean } = {}): Pod {
  const p = statefulSetPod(s, s.spec.template, o.revision ?? 'web-a', ordinal, `uid-${ordinal}`, NOW);
  p.spec.nodeName = 'node-1';
  p.status = {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
  } as Pod['status'];
  if (o.deleting) p.metadata.deletionTimestamp = '2026-01-01T12:00:30Z';
  return p;
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

describe('reconcileStatefulSet', () => {
  it('creates pods one at a time in ordinal order, each after the lower ones are ready (OrderedReady)', () => {
    const s = set(3);
    expect(reconcileStatefulSet(s, [], REVS, NOW).create).toEqual([{ ordinal: 0, revision: 'update' }]);
    expect(reconcileStatefulSet(s, [pod(s, 0, { ready: false })], REVS, NOW).create).toEqual([]);
    expect(reconcileStatefulSet(s, [pod(s, 0)], REVS, NOW).create).toEqual([{ ordinal: 1, revision: 'update' }]);
  });

  it('creates every missing pod at once with Parallel', () => {
    const s = set(3, { podManagementPolicy: 'Parallel' });
    expect(reconcileStatefulSet(s, [], REVS, NOW).create.map((c) => c.ordinal)).toEqual([0, 1, 2]);
  });

  it('scales down from the highest ordinal, one at a time, waiting for the terminating pod', () => {
    const s = set(1);
    const pods = [pod(s, 0), pod(s, 1), pod(s, 2)];
    expect(names(reconcileStatefulSet(s, pods, REVS, NOW).remove)).toEqual(['web-2']);
    const terminating = [pod(s, 0), pod(s, 1), pod(s, 2, { deleting: true })];
    expect(reconcileStatefulSet(s, terminating, REVS, NOW).remove).toEqual([]);
    const parallel = set(1, { podManagementPolicy: 'Parallel' });
    expect(names(reconcileStatefulSet(parallel, pods, REVS, NOW).remove)).toEqual(['web-2', 'web-1']);
  });

  it('rolls the highest ordinal not at the update revision first and stops at the partition', () => {
    const s = set(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    const revs = { current: 'web-a', update: 'web-b' };
    const old = [pod(s, 0), pod(s, 1), pod(s, 2)];
    expect(names(reconcileStatefulSet(s, old, revs, NOW).remove)).toEqual(['web-2']);
    const rolled2 = [pod(s, 0), pod(s, 1), pod(s, 2, { revision: 'web-b' })];
    expect(names(reconcileStatefulSet(s, rolled2, revs, NOW).remove)).toEqual(['web-1']);
    const rolled = [pod(s, 0), pod(s, 1, { revision: 'web-b' }), pod(s, 2, { revision: 'web-b' })];
    const plan = reconcileStatefulSet(s, rolled, revs, NOW);
    expect(plan.remove).toEqual([]);
    expect(plan.status).toMatchObject({ updatedReplicas: 2, currentReplicas: 1, currentRevision: 'web-a' });
  });

  it('recreates a pod below the partition at the current revision', () => {
    const s = set(2, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    const plan = reconcileStatefulSet(s, [], { current: 'web-a', update: 'web-b' }, NOW);
    expect(plan.create).toEqual([{ ordinal: 0, revision: 'current' }]);
  });

  it('completes the rollout: the current revision becomes the update revision', () => {
    const s = set(2);
    const pods = [pod(s, 0, { revision: 'web-b' }), pod(s, 1, { revision: 'web-b' })];
    const plan = reconcileStatefulSet(s, pods, { current: 'web-a', update: 'web-b' }, NOW);
    expect(plan.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
      currentReplicas: 2,
      currentRevision: 'web-b',
      updateRevision: 'web-b',
    });
  });
});

describe('StatefulSet pods and revisions', () => {
  it('gives each pod its stable name, hostname, subdomain and identity labels', () => {
    const s = set(1);
    const p = statefulSetPod(s, s.spec.template, 'web-a', 4, 'u', NOW);
    expect(p.metadata.name).toBe('web-4');
    expect(p.spec).toMatchObject({ hostname: 'web-4', subdomain: 'web' });
    expect(p.metadata.labels).toMatchObject({
      app: 'web',
      'statefulset.kubernetes.io/pod-name': 'web-4',
      'apps.kubernetes.io/pod-index': '4',
      'controller-revision-hash': 'web-a',
    });
    expect([ordinalOf('web', 'web-12'), ordinalOf('web', 'web-01'), ordinalOf('web', 'webx-1')]).toEqual([
      12,
      undefined,
      undefined,
    ]);
  });

  it('stores the template as a replacing patch, finds it again and prunes old history', () => {
    const s = set(1);
    const r1 = newRevision(s, 1, 'u1', NOW);
    expect(r1.metadata.name).toMatch(/^web-[a-z0-9]+$/);
    expect(r1.metadata.labels?.['controller-revision-hash']).toBe(r1.metadata.name.slice(4));
    expect(r1.data).toMatchObject({ spec: { template: { $patch: 'replace' } } });
    expect(revisionTemplate(r1)).toEqual(s.spec.template);
    expect(findEqualRevision(s, [r1])).toBe(r1);
    const changed = set(1, {
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } },
    });
    expect(findEqualRevision(changed, [r1])).toBeUndefined();
    const r2 = newRevision(changed, 2, 'u2', NOW);
    expect(r2.metadata.name).not.toBe(r1.metadata.name);
    expect(revisionsToPrune([r1, r2], new Set([r2.metadata.name]), 0)).toEqual([r1]);
    expect(revisionsToPrune([r1, r2], new Set([r2.metadata.name]), 1)).toEqual([]);
  });
});
