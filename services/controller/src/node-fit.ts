/**
 * Resource fit for the scheduler, pure (the NodeResourcesFit filter): a pod's requests
 * (cpu in millicores, memory in bytes, plus one pod slot) must fit into the node's
 * allocatable minus the requests of the non-terminal pods already on it. Quantities
 * that do not parse count as zero; the apiserver validates them on the way in.
 */
import { type Node, type Pod, milliValue, parseQuantity } from '@kemu/api';

/** Requested amounts: cpu in millicores, memory in bytes, pods as a count. */
export interface Resources {
  cpu: number;
  memory: number;
  pods: number;
}

const ZERO: Resources = { cpu: 0, memory: 0, pods: 0 };

function quantity(q: string | undefined, parse: (q: string) => number): number {
  if (q === undefined) return 0;
  try {
    return parse(q);
  } catch {
    return 0;
  }
}

function containerRequest(c: Pod['spec']['containers'][number], name: string): string | undefined {
  // Kubernetes defaults a request to its limit when only the limit is given.
  return c.resources?.requests?.[name] ?? c.resources?.limits?.[name];
}

/** The pod's effective requests: the sum over containers, or the largest init container when that is more. */
export function podRequests(pod: Pod): Resources {
  const sum = (name: string, parse: (q: string) => number, list: Pod['spec']['containers']) =>
    list.map((c) => quantity(containerRequest(c, name), parse));
  const total = (name: string, parse: (q: string) => number) =>
    Math.max(
      sum(name, parse, pod.spec.containers ?? []).reduce((a, b) => a + b, 0),
      ...sum(name, parse, pod.spec.initContainers ?? []),
    );
  return { cpu: total('cpu', milliValue), memory: total('memory', parseQuantity), pods: 1 };
}

/** The node's allocatable resources; a node that publishes none has room for nothing but pods (110). */
export function nodeAllocatable(node: Node): Resources {
  const a = node.status?.allocatable ?? {};
  return {
    cpu: quantity(a.cpu, milliValue),
    memory: quantity(a.memory, parseQuantity),
    pods: a.pods === undefined ? 110 : quantity(a.pods, parseQuantity),
  };
}

/** Adds two resource amounts. */
export function addResources(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu + b.cpu, memory: a.memory + b.memory, pods: a.pods + b.pods };
}

/** The reasons the pod does not fit on a node already using `used`, worded as the scheduler does; empty when it fits. */
export function insufficientResources(pod: Resources, used: Resources | undefined, allocatable: Resources): string[] {
  const u = used ?? ZERO;
  const reasons: string[] = [];
  if (u.pods + pod.pods > allocatable.pods) reasons.push('Too many pods');
  if (pod.cpu > 0 && u.cpu + pod.cpu > allocatable.cpu) reasons.push('Insufficient cpu');
  if (pod.memory > 0 && u.memory + pod.memory > allocatable.memory) reasons.push('Insufficient memory');
  return reasons;
}

/** Requests per node name of bound non-terminal pods, plus assumed bindings not yet visible in the view. */
export function usagePerNode(
  pods: readonly Pod[],
  assumed: ReadonlyMap<string, string>,
  keyOf: (pod: Pod) => string,
  isTerminal: (pod: Pod) => boolean,
): Map<string, Resources> {
  const usage = new Map<string, Resources>();
  const add = (node: string, pod: Pod) => usage.set(node, addResources(usage.get(node) ?? ZERO, podRequests(pod)));
  const pending = new Map(assumed);
  const unbound = new Map<string, Pod>();
  for (const pod of pods) {
    const key = keyOf(pod);
    if (pod.spec.nodeName) {
      pending.delete(key);
      if (!isTerminal(pod)) add(pod.spec.nodeName, pod);
    } else unbound.set(key, pod);
  }
  for (const [key, node] of pending) {
    const pod = unbound.get(key);
    if (pod) add(node, pod);
  }
  return usage;
}
