/**
 * The requests of bound, non-terminal pods per node, kept up to date from the informer's
 * pod changes, so scheduling one pod no longer sums every pod of the cluster (a sum per
 * pod made a 10 000-pod scale-up quadratic). usage() gives what usagePerNode computes
 * from the whole view.
 */
import type { Pod } from '@kemu/api';
import type { Informer } from '@kemu/eventlog';
import { isPodTerminal } from './conditions.js';
import { type Resources, addResources, podRequests } from './node-fit.js';

/** Per-node usage following an informer. */
export interface NodeUsageTracker {
  /** Usage per node, with the assumed bindings (pod key → node) of pods still unbound in the view added. */
  usage(assumed: ReadonlyMap<string, string>): Map<string, Resources>;
}

const ZERO: Resources = { cpu: 0, memory: 0, pods: 0 };

const counted = (pod: Pod | undefined): pod is Pod => Boolean(pod?.spec.nodeName) && !isPodTerminal(pod as Pod);

/** Starts tracking: the view's pods now, then every pod change. */
export function trackNodeUsage(informer: Informer): NodeUsageTracker {
  const perNode = new Map<string, Resources>();
  const pods = informer.lister('pods');

  function shift(pod: Pod, sign: 1 | -1): void {
    const node = pod.spec.nodeName as string;
    const r = podRequests(pod);
    const next = addResources(perNode.get(node) ?? ZERO, { cpu: sign * r.cpu, memory: sign * r.memory, pods: sign });
    if (next.pods === 0) perNode.delete(node);
    else perNode.set(node, next);
  }

  function change(old: Pod | undefined, pod: Pod | undefined): void {
    const was = counted(old);
    const is = counted(pod);
    // A status update keeps the spec: nothing moves.
    if (was && is && old.spec === pod.spec) return;
    if (was) shift(old, -1);
    if (is) shift(pod, 1);
  }

  for (const pod of pods.list()) change(undefined, pod);
  informer.on('pods', {
    onAdd: (pod) => change(undefined, pod),
    onUpdate: (old, pod) => change(old, pod),
    onDelete: (pod, c) => change((c.old as Pod | undefined) ?? pod, undefined),
  });

  return {
    usage(assumed) {
      const usage = new Map(perNode);
      for (const [key, node] of assumed) {
        const pod = pods.byKey(key);
        if (!pod || pod.spec.nodeName) continue;
        usage.set(node, addResources(usage.get(node) ?? ZERO, podRequests(pod)));
      }
      return usage;
    },
  };
}
