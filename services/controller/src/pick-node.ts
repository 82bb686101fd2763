/**
 * Node choice for the scheduler, pure: the schedulable node with the fewest
 * non-terminal pods wins, ties go to the lower name (natural order, so node-2 comes
 * before node-10). Pods whose binding is in flight ("assumed") count on their node
 * already, so pods created together spread instead of piling onto one node.
 */
import type { Node, Pod } from '@kemu/api';
import { isNodeSchedulable, isPodTerminal, nodeReadyCondition } from './conditions.js';

/** Non-terminal pods per node name: bound pods in the view plus assumed bindings not yet visible there. */
export function countPodsPerNode(
  pods: readonly Pod[],
  assumed: ReadonlyMap<string, string>,
  keyOf: (pod: Pod) => string,
): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (node: string) => counts.set(node, (counts.get(node) ?? 0) + 1);
  const pending = new Map(assumed);
  for (const pod of pods) {
    const key = keyOf(pod);
    if (pod.spec.nodeName) {
      pending.delete(key);
      if (!isPodTerminal(pod)) bump(pod.spec.nodeName);
    }
  }
  for (const node of pending.values()) bump(node);
  return counts;
}

/** Picks the node for a pod, or undefined when no node is schedulable. */
export function pickNode(nodes: readonly Node[], podCounts: ReadonlyMap<string, number>): string | undefined {
  let best: { name: string; count: number } | undefined;
  for (const node of nodes) {
    if (!isNodeSchedulable(node)) continue;
    const name = node.metadata.name;
    const count = podCounts.get(name) ?? 0;
    if (!best || count < best.count || (count === best.count && compareNames(name, best.name) < 0))
      best = { name, count };
  }
  return best?.name;
}

/** Why no node fits, worded like the scheduler's FailedScheduling message. */
export function unschedulableMessage(nodes: readonly Node[]): string {
  if (nodes.length === 0) return 'no nodes available to schedule pods';
  // A node whose Ready is Unknown carries the unreachable taint, one with Ready False the not-ready taint.
  const unreachable = nodes.filter((n) => nodeReadyCondition(n)?.status === 'Unknown').length;
  const notReady = nodes.filter((n) => !['True', 'Unknown'].includes(nodeReadyCondition(n)?.status ?? 'False')).length;
  const cordoned = nodes.filter(
    (n) => nodeReadyCondition(n)?.status === 'True' && n.spec?.unschedulable === true,
  ).length;
  const reasons: string[] = [];
  if (notReady > 0) reasons.push(`${notReady} node(s) had untolerated taint {node.kubernetes.io/not-ready: }`);
  if (unreachable > 0) reasons.push(`${unreachable} node(s) had untolerated taint {node.kubernetes.io/unreachable: }`);
  if (cordoned > 0) reasons.push(`${cordoned} node(s) were unschedulable`);
  return `0/${nodes.length} nodes are available: ${reasons.join(', ')}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
}

function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
