/**
 * Node health as the node lifecycle controller judges it, pure: a node whose kubelet
 * (node-agent) has not posted a heartbeat within the grace period gets its conditions
 * set to Unknown, and the pods on it lose their Ready condition.
 */
import type { Node, NodeCondition, Pod } from '@kemu/api';
import { podCondition, rfc3339, withPodCondition } from './conditions.js';

/** The conditions the node lifecycle controller turns Unknown (Kubernetes' nodeConditionTypes). */
const MONITORED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** The node with its conditions set to Unknown when its heartbeat is older than `graceMs`; undefined when nothing changes. */
export function reconcileNodeHealth(node: Node, now: Date, graceMs: number): Node | undefined {
  const conditions = node.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'Unknown') return undefined;
  const since = Date.parse(
    ready?.lastHeartbeatTime ?? ready?.lastTransitionTime ?? node.metadata.creationTimestamp ?? '',
  );
  if (Number.isNaN(since) || now.getTime() - since <= graceMs) return undefined;
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
