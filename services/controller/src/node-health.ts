/**
 * Node health as the node lifecycle controller judges it, pure: a node whose kubelet
 * (node-agent) has not posted a heartbeat within the grace period gets its conditions
 * set to Unknown, and the pods on it lose their Ready condition.
 */
import { type Node, type NodeCondition, type Pod, CONFIG_MIRROR_ANNOTATION } from '@kemu/api';
import { podCondition, rfc3339, withPodCondition } from './conditions.js';

/** The conditions the node lifecycle controller turns Unknown (Kubernetes' nodeConditionTypes). */
const MONITORED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** When (epoch ms) the node's heartbeat turns older than `graceMs`; undefined when its Ready is Unknown already or has no time. */
export function heartbeatDeadline(node: Node, graceMs: number): number | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'Unknown') return undefined;
  const since = Date.parse(
    ready?.lastHeartbeatTime ?? ready?.lastTransitionTime ?? node.metadata.creationTimestamp ?? '',
  );
  return Number.isNaN(since) ? undefined : since + graceMs;
}

/** The node with its conditions set to Unknown when its heartbeat is older than `graceMs`; undefined when nothing changes. */
export function reconcileNodeHealth(node: Node, now: Date, graceMs: number): Node | undefined {
  const conditions = node.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const deadline = heartbeatDeadline(node, graceMs);
  if (deadline === undefined || now.getTime() <= deadline) return undefined;
  const time = rfc3339(now);
  const next: NodeCondition[] = conditions.map((c) =>
    MONITORED.includes(c.type) && c.status !== 'Unknown'
      ? {
          ...c,
          status: 'Unknown',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
          lastTransitionTime: time,
        }
      : c,
  );
  if (!ready) {
    next.push({
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      ...(node.metadata.creationTimestamp ? { lastHeartbeatTime: node.metadata.creationTimestamp } : {}),
      lastTransitionTime: time,
    });
  }
  return { ...node, status: { ...(node.status ?? {}), conditions: next } };
}

/** True when the node's Ready condition is Unknown: its node-agent is not reporting. */
export function isNodeUnreachable(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'Unknown') ?? false;
}

/** The pod with Ready=False (MarkPodsNotReady); undefined when it has no Ready condition or it is False already. */
export function markPodNotReady(pod: Pod, now: Date): Pod | undefined {
  const ready = podCondition(pod, 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  const status = pod.status ?? {};
  return {
    ...pod,
    status: {
      ...status,
      conditions: withPodCondition(status.conditions, { ...ready, status: 'False', lastTransitionTime: rfc3339(now) }),
    },
  };
}

/** How long the node's Ready condition has not been True at `now`, in ms; undefined while it is True. */
export function notReadyForMs(node: Node, now: Date): number | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'True') return undefined;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isNaN(since) ? undefined : now.getTime() - since;
}

/** True for a mirror pod (annotation kubernetes.io/config.mirror), the API's view of a static pod. */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;
}

/** terminationGracePeriodSeconds when the pod does not say. */
const DEFAULT_GRACE_SECONDS = 30;

/**
 * The pod marked for deletion by the taint eviction (DisruptionTarget condition,
 * deletionTimestamp = now + grace), as Kubernetes' taint manager does once a pod's
 * toleration of the not-ready/unreachable taint runs out; undefined for a pod that is
 * finished, already being deleted or a mirror pod. Its node-agent stops and removes it when it reports again.
 */
export function evictPod(pod: Pod, now: Date): Pod | undefined {
  const phase = pod.status?.phase;
  if (pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed') return undefined;
  // A mirror pod shows a static pod the node runs by itself: deleting it stops nothing,
  // and its node writes it again at once. Kubernetes never evicts them.
  if (isMirrorPod(pod)) return undefined;
  const grace = Math.max(0, pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS);
  const status = pod.status ?? {};
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      deletionTimestamp: rfc3339(new Date(now.getTime() + grace * 1000)),
      deletionGracePeriodSeconds: grace,
    },
    status: {
      ...status,
      conditions: withPodCondition(status.conditions, {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByTaintManager',
        message: 'Taint manager: deleting due to NoExecute taint',
        lastTransitionTime: rfc3339(now),
      }),
    },
  };
}
