/**
 * The StatefulSet planner, pure (stateful_set_control.go updateStatefulSet): which
 * ordinals to create, which pods to delete and the status to report. OrderedReady
 * (monotonic) creates `0..N-1` one at a time, each only once every lower one is Running
 * and Ready, and removes surplus pods from the highest ordinal down, one at a time;
 * Parallel does all of it at once. A RollingUpdate then deletes, from the highest
 * ordinal down to `partition`, the first pod not at the update revision, once every pod
 * is healthy; the pod is recreated at the update revision on a later sync. Pods below
 * the partition are (re)created at the current revision.
 */
import type { Pod, StatefulSet } from '@kemu/api';
import { isPodAvailable } from './replica-set-pods.js';
import { isFinished, isRunningAndReady, ordinalOf, podRevision } from './stateful-set-pods.js';

/** The current and update revision names of a sync. */
export interface StatefulSetRevisions {
  current: string;
  update: string;
}

/** One pod to create: its ordinal and the revision it is made from. */
export interface StatefulPodToCreate {
  ordinal: number;
  revision: 'current' | 'update';
}

/** What a StatefulSet sync should write. */
export interface StatefulSetPlan {
  create: StatefulPodToCreate[];
  /** Pods to delete, in order. */
  remove: Pod[];
  status: NonNullable<StatefulSet['status']>;
}

/** The revision a new pod at `ordinal` is made from (newVersionedStatefulSetPod). */
export function revisionForOrdinal(set: StatefulSet, ordinal: number): 'current' | 'update' {
  const strategy = set.spec.updateStrategy;
  if (strategy?.type === 'OnDelete') return 'current';
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  return ordinal - (set.spec.ordinals?.start ?? 0) < partition ? 'current' : 'update';
}

/** The status of `set` with these pods and revisions (computeReplicaStatus + completeRollingUpdate). */
export function statefulSetStatus(
  set: StatefulSet,
  pods: readonly Pod[],
  revisions: StatefulSetRevisions,
  now: Date,
): NonNullable<StatefulSet['status']> {
  const minReady = set.spec.minReadySeconds ?? 0;
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  const status: NonNullable<StatefulSet['status']> = {
    observedGeneration: set.metadata.generation ?? 1,
    replicas: pods.length,
    readyReplicas: pods.filter(isRunningAndReady).length,
    currentReplicas: live.filter((p) => podRevision(p) === revisions.current).length,
    updatedReplicas: live.filter((p) => podRevision(p) === revisions.update).length,
    availableReplicas: pods.filter((p) => isRunningAndReady(p) && isPodAvailable(p, minReady, now)).length,
    currentRevision: revisions.current,
    updateRevision: revisions.update,
    collisionCount: set.status?.collisionCount ?? 0,
  };
  const replicas = set.spec.replicas ?? 1;
  if (
    set.spec.updateStrategy?.type !== 'OnDelete' &&
    status.updatedReplicas === replicas &&
    status.readyReplicas === replicas &&
    status.replicas === replicas
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = revisions.update;
  }
  return status;
}

/** Plans one sync of `set` given the pods it controls and its revisions. */
export function reconcileStatefulSet(
  set: StatefulSet,
  owned: readonly Pod[],
  revisions: StatefulSetRevisions,
  now: Date,
): StatefulSetPlan {
  const status = statefulSetStatus(set, owned, revisions, now);
  const plan: StatefulSetPlan = { create: [], remove: [], status };
  if (set.metadata.deletionTimestamp) return plan;
  const monotonic = set.spec.podManagementPolicy !== 'Parallel';
  const start = set.spec.ordinals?.start ?? 0;
  const end = start + (set.spec.replicas ?? 1);
  const byOrdinal = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const pod of owned) {
    const ord = ordinalOf(set.metadata.name, pod.metadata.name);
    if (ord === undefined) continue;
    if (ord >= start && ord < end) byOrdinal.set(ord, pod);
    else condemned.push(pod);
  }
  condemned.sort(
    (a, b) =>
      (ordinalOf(set.metadata.name, b.metadata.name) ?? 0) - (ordinalOf(set.metadata.name, a.metadata.name) ?? 0),
  );

  for (let ord = start; ord < end; ord++) {
    const pod = byOrdinal.get(ord);
    if (!pod) {
      plan.create.push({ ordinal: ord, revision: revisionForOrdinal(set, ord) });
      if (monotonic) return plan;
      continue;
    }
    if (isFinished(pod) && !pod.metadata.deletionTimestamp) {
      plan.remove.push(pod);
      if (monotonic) return plan;
      continue;
    }
    if (monotonic && (pod.metadata.deletionTimestamp || !isRunningAndReady(pod))) return plan;
  }
  if (!monotonic && (plan.create.length > 0 || plan.remove.length > 0)) {
    plan.remove.push(...condemned.filter((p) => !p.metadata.deletionTimestamp));
    return plan;
  }

  for (const pod of condemned) {
    if (pod.metadata.deletionTimestamp) {
      if (monotonic) return plan;
      continue;
    }
    // A monotonic scale-down deletes an unhealthy pod only when it is the first one.
    const firstUnhealthy = condemned.find((p) => !isRunningAndReady(p));
    if (monotonic && firstUnhealthy && firstUnhealthy !== pod) return plan;
    plan.remove.push(pod);
    if (monotonic) return plan;
  }
  if (plan.remove.length > 0) return plan;

  if (set.spec.updateStrategy?.type === 'OnDelete') return plan;
  const partition = start + (set.spec.updateStrategy?.rollingUpdate?.partition ?? 0);
  for (let ord = end - 1; ord >= Math.max(start, partition); ord--) {
    const pod = byOrdinal.get(ord);
    if (!pod) return plan;
    if (podRevision(pod) !== revisions.update && !pod.metadata.deletionTimestamp) {
      plan.remove.push(pod);
      return plan;
    }
    if (pod.metadata.deletionTimestamp || !isRunningAndReady(pod)) return plan;
  }
  return plan;
}
