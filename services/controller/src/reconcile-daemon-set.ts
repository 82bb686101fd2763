/**
 * The DaemonSet planner, pure (daemon_controller.go manage + rollingUpdate): one pod on
 * every node the template's nodeSelector matches, none elsewhere; a failed pod is
 * deleted (and replaced on the next sync); extra pods on a node go, oldest kept. A
 * RollingUpdate (maxSurge 0) deletes pods of an older revision while fewer than
 * maxUnavailable nodes are without an available pod, unavailable old pods first; their
 * replacements come from the current template.
 */
import { type DaemonSet, type Node, type Pod, selectorMatches } from '@kemu/api';
import { isPodReady } from './conditions.js';
import { isPodAvailable } from './replica-set-pods.js';
import { podRevision } from './stateful-set-pods.js';

/** What a DaemonSet sync should write. */
export interface DaemonSetPlan {
  /** Nodes to create a pod on. */
  create: string[];
  remove: Pod[];
  status: NonNullable<DaemonSet['status']>;
}

/** True when the DaemonSet should run a pod on `node` (nodeSelector; a node being deleted gets none). */
export function shouldRunOn(ds: DaemonSet, node: Node): boolean {
  if (node.metadata.deletionTimestamp) return false;
  const selector = (ds.spec.template.spec.nodeSelector ?? {}) as Record<string, string>;
  return selectorMatches(selector, node.metadata.labels ?? {});
}

/** maxUnavailable as a number of nodes (a percentage of desired, rounded up; at least 1 when maxSurge is 0). */
export function maxUnavailableOf(ds: DaemonSet, desired: number): number {
  const v = ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  const n = typeof v === 'string' && v.endsWith('%') ? Math.ceil((Number(v.slice(0, -1)) * desired) / 100) : Number(v);
  return Math.max(1, Number.isFinite(n) ? n : 1);
}

function byCreation(a: Pod, b: Pod): number {
  return Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '');
}

/** Plans one sync of `ds` given the nodes, the pods it controls and its update revision's hash. */
export function reconcileDaemonSet(
  ds: DaemonSet,
  nodes: readonly Node[],
  owned: readonly Pod[],
  updateHash: string,
  now: Date,
): DaemonSetPlan {
  const minReady = ds.spec.minReadySeconds ?? 0;
  const plan: DaemonSetPlan = { create: [], remove: [], status: {} };
  const byNode = new Map<string, Pod[]>();
  for (const pod of owned) {
    if (pod.metadata.deletionTimestamp) continue;
    const node = pod.spec.nodeName ?? '';
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  const desired = nodes.filter((n) => shouldRunOn(ds, n)).map((n) => n.metadata.name);
  const desiredSet = new Set(desired);
  let current = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  let misscheduled = 0;
  const oldPods: { pod: Pod; available: boolean }[] = [];
  let unavailableNodes = 0;
  for (const [node, pods] of byNode) {
    if (!desiredSet.has(node)) {
      misscheduled++;
      plan.remove.push(...pods);
    }
  }
  for (const node of desired) {
    const pods = [...(byNode.get(node) ?? [])].sort(byCreation);
    const failed = pods.filter((p) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded');
    plan.remove.push(...failed);
    const running = pods.filter((p) => !failed.includes(p));
    if (running.length === 0) {
      if (failed.length === 0 && !ds.metadata.deletionTimestamp) plan.create.push(node);
      unavailableNodes++;
      continue;
    }
    plan.remove.push(...running.slice(1));
    const pod = running[0] as Pod;
    current++;
    const isAvailable = isPodReady(pod) && isPodAvailable(pod, minReady, now);
    if (isPodReady(pod)) ready++;
    if (isAvailable) available++;
    else unavailableNodes++;
    if (podRevision(pod) === updateHash) updated++;
    else oldPods.push({ pod, available: isAvailable });
  }
  if (ds.spec.updateStrategy?.type !== 'OnDelete' && plan.remove.length === 0 && plan.create.length === 0) {
    let budget = maxUnavailableOf(ds, desired.length) - unavailableNodes;
    for (const { pod } of oldPods.filter((o) => !o.available)) plan.remove.push(pod);
    for (const { pod } of oldPods.filter((o) => o.available)) {
      if (budget <= 0) break;
      plan.remove.push(pod);
      budget--;
    }
  }
  plan.status = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired.length,
    numberReady: ready,
    observedGeneration: ds.metadata.generation ?? 1,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    ...(desired.length - available > 0 ? { numberUnavailable: desired.length - available } : {}),
    ...(ds.status?.collisionCount ? { collisionCount: ds.status.collisionCount } : {}),
  };
  return plan;
}
