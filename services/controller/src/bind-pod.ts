/**
 * The scheduler's writes to a pod, pure: a binding (spec.nodeName plus PodScheduled=True,
 * as the apiserver's binding subresource sets them) and the Unschedulable condition.
 */
import type { Pod, PodStatus } from '@kemu/api';
import { podCondition, rfc3339, withPodCondition } from './conditions.js';

/** The pod bound to `nodeName`. */
export function bindPod(pod: Pod, nodeName: string, now: Date): Pod {
  return { ...pod, spec: { ...pod.spec, nodeName }, status: withPodScheduled(pod, now, 'True') };
}

/** The pod marked PodScheduled=False/Unschedulable with `message`, or undefined if it already says so. */
export function markUnschedulable(pod: Pod, message: string, now: Date): Pod | undefined {
  const current = podCondition(pod, 'PodScheduled');
  if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message)
    return undefined;
  return { ...pod, status: withPodScheduled(pod, now, 'False', { reason: 'Unschedulable', message }) };
}

// The pod's status with PodScheduled set to `status` (and why), its phase Pending unless it has one.
function withPodScheduled(
  pod: Pod,
  now: Date,
  status: 'True' | 'False',
  why?: { reason: string; message: string },
): PodStatus {
  const current = pod.status ?? {};
  return {
    ...current,
    phase: current.phase ?? 'Pending',
    conditions: withPodCondition(current.conditions, {
      type: 'PodScheduled',
      status,
      lastProbeTime: null,
      lastTransitionTime: rfc3339(now),
      ...why,
    }),
  };
}

/** True for a pod the default scheduler should place: unbound, not being deleted, no other scheduler named. */
export function needsScheduling(pod: Pod): boolean {
  const schedulerName = pod.spec.schedulerName;
  return (
    !pod.spec.nodeName &&
    !pod.metadata.deletionTimestamp &&
    (schedulerName === undefined || schedulerName === 'default-scheduler')
  );
}
