/**
 * The ReplicaSet planner, pure: from a ReplicaSet and the pods it controls, how many pods
 * to create, which to delete (the lowest ranked first) and the status to report
 * (replicaset.calculateStatus). Finished pods do not count, so they are replaced.
 */
import { type Pod, type ReplicaSet, selectorMatches } from '@kemu/api';
import { isPodReady } from './conditions.js';
import { compareForDeletion, isPodActive, isPodAvailable } from './replica-set-pods.js';

/** What a ReplicaSet sync should write. */
export interface ReplicaSetPlan {
  /** Pods to create from the template. */
  create: number;
  /** Pods to delete, in order. */
  remove: Pod[];
  status: NonNullable<ReplicaSet['status']>;
}

/** The most pods one sync creates or deletes (replicaset's burstReplicas). */
export const BURST_REPLICAS = 500;

/** Plans one sync of `rs` given the pods it controls (any state). */
export function reconcileReplicaSet(rs: ReplicaSet, owned: readonly Pod[], now: Date): ReplicaSetPlan {
  const active = owned.filter(isPodActive);
  const want = rs.metadata.deletionTimestamp ? active.length : (rs.spec.replicas ?? 1);
  const diff = active.length - want;
  const create = diff < 0 ? Math.min(-diff, BURST_REPLICAS) : 0;
  const remove = diff > 0 ? [...active].sort(compareForDeletion).slice(0, Math.min(diff, BURST_REPLICAS)) : [];
  return { create, remove, status: replicaSetStatus(rs, active, now) };
}

/** The status of `rs` with these active pods. */
export function replicaSetStatus(rs: ReplicaSet, active: readonly Pod[], now: Date): NonNullable<ReplicaSet['status']> {
  const templateLabels = rs.spec.template.metadata?.labels ?? {};
  const minReady = rs.spec.minReadySeconds ?? 0;
  // One pass over the pods (thousands in a large ReplicaSet, counted on every pod change).
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of active) {
    if (selectorMatches(templateLabels, p.metadata.labels)) fullyLabeled++;
    if (!isPodReady(p)) continue;
    ready++;
    if (minReady <= 0 || isPodAvailable(p, minReady, now)) available++;
  }
  return {
    replicas: active.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 1,
  };
}
