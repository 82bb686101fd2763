/**
 * The pods of a ReplicaSet as its controller sees them, pure: which count (active: not
 * finished and not being deleted, controller.FilterActivePods), which go first when
 * there are too many (controller.ActivePodsWithRanks), and a new pod from the template.
 */
import { type Pod, type ReplicaSet, defaultObject } from '@kemu/api';
import { isPodReady, isPodTerminal, podCondition, rfc3339 } from './conditions.js';
import { newControllerRef } from './controller-ref.js';

/** True for a pod that counts towards replicas: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** True when the pod has been Ready for at least minReadySeconds at `now` (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podCondition(pod, 'Ready')?.lastTransitionTime;
  return since ? Date.parse(since) + minReadySeconds * 1000 <= now.getTime() : false;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount));
}

function time(s: string | null | undefined): number {
  return s ? Date.parse(s) : 0;
}

/**
 * Orders pods so that the ones to delete first come first: unscheduled before
 * scheduled, Pending before Unknown before Running, not ready before ready, ready for
 * less time first, more restarts first, newer first.
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const sa = a.spec.nodeName ? 1 : 0;
  const sb = b.spec.nodeName ? 1 : 0;
  if (sa !== sb) return sa - sb;
  const pa = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  if (ra === 1) {
    const ta = time(podCondition(a, 'Ready')?.lastTransitionTime);
    const tb = time(podCondition(b, 'Ready')?.lastTransitionTime);
    if (ta !== tb) return tb - ta;
  }
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return time(b.metadata.creationTimestamp) - time(a.metadata.creationTimestamp);
}

/** A new pod of the ReplicaSet named `name`, defaulted as the apiserver would store it. */
export function podFromTemplate(rs: ReplicaSet, name: string, uid: string, now: Date): Pod {
  const template = rs.spec.template;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace ?? 'default',
      uid,
      creationTimestamp: rfc3339(now),
      ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(rs)],
    },
    spec: structuredClone(template.spec),
  };
  return defaultObject(pod);
}
