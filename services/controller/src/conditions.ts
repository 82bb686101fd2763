/**
 * Readiness and condition helpers shared by the controllers, with Kubernetes' meanings:
 * a pod is ready when its Ready condition is True; a node is schedulable when its Ready
 * condition is True and it is not cordoned.
 */
import type { Node, NodeCondition, Pod, PodCondition } from '@kemu/api';

/** True when the pod's Ready condition has status True (podutil.IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** True for a pod that has finished: phase Succeeded or Failed (podutil.IsPodTerminal). */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The node's Ready condition, if it has one. */
export function nodeReadyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** True when the node's Ready condition is True and the node is not cordoned. */
export function isNodeSchedulable(node: Node): boolean {
  return nodeReadyCondition(node)?.status === 'True' && node.spec?.unschedulable !== true;
}

/** The pod's condition of one type, if present. */
export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/**
 * Returns the conditions with `next` replacing the one of its type. The transition time
 * stays when the status does not change, as Kubernetes' UpdatePodCondition does.
 */
export function withPodCondition(conditions: PodCondition[] | undefined, next: PodCondition): PodCondition[] {
  const list = conditions ?? [];
  const old = list.find((c) => c.type === next.type);
  const merged =
    old && old.status === next.status
      ? { ...next, lastTransitionTime: old.lastTransitionTime ?? next.lastTransitionTime }
      : next;
  return old ? list.map((c) => (c.type === next.type ? merged : c)) : [...list, merged];
}

/** RFC 3339 with second precision, the way Kubernetes writes metav1.Time. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
