/**
 * Node choice for the scheduler, pure: among the schedulable nodes the pod's requests
 * fit on (node-fit.ts), the one with the fewest pods of the same Services wins (as
 * kube-scheduler's default topology spread, which counts the pods matching the selectors
 * of the Services a pod belongs to per node), then the one with the fewest non-terminal
 * pods, ties going to the lower name (natural order, so node-2 comes before node-10). So
 * a Service's pods spread over the nodes whatever else runs there (system pods that
 * register late once made two of three web pods share a node). Pods whose binding is in
 * flight ("assumed") count on their node already, so pods created together spread
 * instead of piling onto one node.
 */
import { type Node, type Pod, NOT_READY_TAINT, UNREACHABLE_TAINT } from '@kemu/api';
import { isNodeSchedulable, isPodTerminal, nodeReadyCondition } from './conditions.js';
import { insufficientResources, nodeAllocatable, type Resources, usagePerNode } from './node-fit.js';

const NO_REQUESTS: Resources = { cpu: 0, memory: 0, pods: 1 };

/** Requests per node of bound non-terminal pods and of assumed bindings not yet visible in the view. */
export function nodeUsage(
  pods: readonly Pod[],
  assumed: ReadonlyMap<string, string>,
  keyOf: (pod: Pod) => string,
): Map<string, Resources> {
  return usagePerNode(pods, assumed, keyOf, isPodTerminal);
}

/**
 * Picks the node for a pod requesting `request`, or undefined when no node is schedulable
 * and has room; `spread` counts per node the pods of the Services the pod belongs to.
 */
export function pickNode(
  nodes: readonly Node[],
  usage: ReadonlyMap<string, Resources>,
  request: Resources = NO_REQUESTS,
  spread: ReadonlyMap<string, number> = new Map(),
): string | undefined {
  let best: { name: string; peers: number; count: number } | undefined;
  for (const node of nodes) {
    if (!isNodeSchedulable(node)) continue;
    const name = node.metadata.name;
    const used = usage.get(name);
    if (insufficientResources(request, used, nodeAllocatable(node)).length > 0) continue;
    const peers = spread.get(name) ?? 0;
    const count = used?.pods ?? 0;
    const better =
      !best ||
      peers < best.peers ||
      (peers === best.peers && (count < best.count || (count === best.count && compareNames(name, best.name) < 0)));
    if (better) best = { name, peers, count };
  }
  return best?.name;
}

/** Why one node does not fit: the taint or cordon that filters it, else the resources it lacks. */
function nodeReasons(node: Node, usage: ReadonlyMap<string, Resources>, request: Resources): string[] {
  // A node whose Ready is Unknown carries the unreachable taint, one with Ready False the not-ready taint.
  const ready = nodeReadyCondition(node)?.status ?? 'False';
  if (ready === 'Unknown') return [`node(s) had untolerated taint {${UNREACHABLE_TAINT}: }`];
  if (ready !== 'True') return [`node(s) had untolerated taint {${NOT_READY_TAINT}: }`];
  if (node.spec?.unschedulable === true) return ['node(s) were unschedulable'];
  return insufficientResources(request, usage.get(node.metadata.name), nodeAllocatable(node));
}

/** `3 Insufficient memory, 1 Too many pods`: counts per reason, sorted like the scheduler's histogram. */
function histogram(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .map(([r, n]) => `${n} ${r}`)
    .sort()
    .join(', ');
}

/** Why no node fits, worded like the scheduler's FailedScheduling message. */
export function unschedulableMessage(
  nodes: readonly Node[],
  usage: ReadonlyMap<string, Resources> = new Map(),
  request: Resources = NO_REQUESTS,
): string {
  if (nodes.length === 0) return 'no nodes available to schedule pods';
  const filter: string[] = [];
  const preemption: string[] = [];
  for (const node of nodes) {
    const reasons = nodeReasons(node, usage, request);
    filter.push(...reasons);
    // Evicting lower-priority pods could free resources, but not lift a taint or a cordon.
    const resources = reasons.length > 0 && reasons.every((r) => r.startsWith('Insufficient') || r === 'Too many pods');
    preemption.push(
      resources ? 'No preemption victims found for incoming pod.' : 'Preemption is not helpful for scheduling',
    );
  }
  const n = nodes.length;
  return `0/${n} nodes are available: ${histogram(filter)}. preemption: 0/${n} nodes are available: ${histogram(preemption)}.`;
}

function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
