import { type Deployment, type ReplicaSet, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { isScalingEvent, proportionalScale } from './proportional-scale.js';
import { reconcileDeployment } from './reconcile-deployment.js';
import { NOW, deployment, replicaSetOf } from './testing/workloads.js';

// The Kubernetes docs' example: 10 replicas, maxSurge 3, maxUnavailable 2, mid rollout
// from nginx:1 (8 pods) to nginx:2 (5 pods).
const strategy = { strategy: { type: 'RollingUpdate' as const, rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } };
const at = (replicas: number, image: string) => deployment(replicas, image, strategy);
const oldRS = replicaSetOf(at(10, 'nginx:1'), 8, 8, { revision: 1, created: '2026-01-01T09:00:00Z' });
const newRS = replicaSetOf(at(10, 'nginx:2'), 5, 0, { revision: 2, created: '2026-01-01T11:00:00Z' });

function sizes(plan: Map<ReplicaSet, number>): Record<string, number> {
  return Object.fromEntries(
    [...plan].map(([rs, n]) => [rs.metadata.name.startsWith(oldRS.metadata.name) ? 'old' : 'new', n]),
  );
}

describe('proportionalScale', () => {
  it('sees a scaling event when an active ReplicaSet was sized for other replicas', () => {
    expect(isScalingEvent(at(10, 'nginx:2'), newRS, [oldRS])).toBe(false);
    expect(isScalingEvent(at(15, 'nginx:2'), newRS, [oldRS])).toBe(true);
    expect(isScalingEvent(at(15, 'nginx:2'), undefined, [oldRS])).toBe(false);
  });

  it('spreads a scale-up over the ReplicaSets in proportion (the docs: 10 → 15 adds 3 old, 2 new)', () => {
    expect(sizes(proportionalScale(at(15, 'nginx:2'), newRS, [oldRS]))).toEqual({ old: 11, new: 7 });
  });

  it('spreads a scale-down in proportion, never below what maxSurge allows in total', () => {
    // maxReplicas 5 + 3 = 8: old 8×8/13 ≈ 5, new 5×8/13 ≈ 3.
    expect(sizes(proportionalScale(at(5, 'nginx:2'), newRS, [oldRS]))).toEqual({ old: 5, new: 3 });
  });

  it('scales every ReplicaSet to 0 when the Deployment goes to 0', () => {
    expect(sizes(proportionalScale(at(0, 'nginx:2'), newRS, [oldRS]))).toEqual({ old: 0, new: 0 });
  });

  it('gives the rounding leftover to the largest ReplicaSet', () => {
    // Three ReplicaSets of 3 sized for max 13, scaled to 20 (max 23): 14 to add; each takes
    // round(3×23/13) − 3 = 2, and the 8 left go to the first in order (newest on a tie).
    const d = at(20, 'nginx:3');
    const a = replicaSetOf(at(10, 'nginx:1'), 3, 3, { created: '2026-01-01T08:00:00Z' });
    const b = replicaSetOf(at(10, 'nginx:2'), 3, 3, { created: '2026-01-01T09:00:00Z' });
    const c = replicaSetOf(at(10, 'nginx:3'), 3, 0, { created: '2026-01-01T10:00:00Z' });
    const plan = proportionalScale(d, c, [a, b]);
    expect([plan.get(a), plan.get(b), plan.get(c)]).toEqual([5, 5, 13]);
  });

  it('hands the whole count to the only active ReplicaSet', () => {
    const only = replicaSetOf(at(3, 'nginx:2'), 3);
    const empty = replicaSetOf(at(3, 'nginx:1'), 0, 0, { created: '2026-01-01T09:00:00Z' });
    const plan = proportionalScale(at(7, 'nginx:2'), only, [empty]);
    expect([...plan]).toEqual([[only, 7]]);
  });

  it('scales old ReplicaSets to 0 when the new one is saturated', () => {
    const saturated = replicaSetOf(at(10, 'nginx:2'), 10, 10);
    const plan = proportionalScale(at(10, 'nginx:2'), saturated, [oldRS]);
    expect([...plan]).toEqual([[oldRS, 0]]);
  });
});

describe('reconcileDeployment with a scaling event mid rollout', () => {
  it('writes the proportional sizes with fresh desired/max annotations before rolling on', () => {
    const d: Deployment = at(15, 'nginx:2');
    const plan = reconcileDeployment(d, [oldRS, newRS], NOW);
    expect(plan.create).toBeUndefined();
    const byName = Object.fromEntries(plan.update.map((rs) => [rs.metadata.name, rs]));
    expect(byName[oldRS.metadata.name]?.spec.replicas).toBe(11);
    expect(byName[newRS.metadata.name]?.spec.replicas).toBe(7);
    for (const rs of plan.update)
      expect(rs.metadata.annotations).toMatchObject({
        [DESIRED_REPLICAS_ANNOTATION]: '15',
        [MAX_REPLICAS_ANNOTATION]: '18',
      });
  });

  it('scales a paused Deployment too', () => {
    const d: Deployment = { ...at(15, 'nginx:2'), spec: { ...at(15, 'nginx:2').spec, paused: true } };
    const plan = reconcileDeployment(d, [oldRS, newRS], NOW);
    expect(plan.update.map((rs) => rs.spec.replicas).sort()).toEqual([11, 7].sort());
  });
});
