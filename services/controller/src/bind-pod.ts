/**
 * The scheduler's writes to a pod, pure: a binding (spec.nodeName plus PodScheduled=True,
 * as the apiserver's binding subresource sets them) and the Unschedulable condition.
 */
import type { Pod } from '@kemu/api';
import { podCondition, rfc3339, withPodCondition } from './conditions.js';

/** The pod bound to `nodeName`. */
export function bindPod(pod: Pod, nodeName: string, now: Date): Pod {
  const status = pod.status ?? {};
  return {
    ...pod,
    spec: { ...pod.spec, nodeName },
    status: {
      ...status,
      phase: status.phase ?? 'Pending',
      conditions: withPodCondition(status.conditions, {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: rfc3339(now),
      }),
    },
  };
}

/** The pod marked PodScheduled=False/Unschedulable with `message`, or undefined if it already says so. */
export function markUnschedulable(pod: Pod, message: string, now: Date): Pod | undefined {
  const current = podCondition(pod, 'PodScheduled');
  if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message)
    return undefined;
  const status = pod.status ?? {};
  return {
    ...pod,
    status: {
      ...status,
      phase: status.phase ?? 'Pending',
      conditions: withPodCondition(status.conditions, {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: rfc3339(now),
        reason: 'Unschedulable',
        message,
      }),
    },
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
