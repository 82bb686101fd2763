/**
 * The PodGC controller (pkg/controller/podgc), sweeping every 20 s:
 * - terminated pods (phase Succeeded or Failed) beyond --terminated-pod-gc-threshold
 *   (default 12500; 0 turns it off) are deleted, evicted ones first, then oldest first;
 * - pods bound to a node that no longer exists are deleted once the node has been missing
 *   for the quarantine (40 s), marked Failed with a DisruptionTarget condition
 *   (DeletionByPodGC) in their final state;
 * - terminating pods that were never scheduled are deleted.
 * Deletion is forced (no grace): there is no kubelet left to stop them.
 */
import type { Node, Pod } from '@kemu/api';
import { ConflictError, listObjects } from '@kemu/eventlog';
import { rfc3339 } from './conditions.js';
import { type Controller, type ControllerDeps, createPeriodicController } from './controller.js';

/** kube-controller-manager's default --terminated-pod-gc-threshold. */
export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 12_500;
/** How long a node must be missing before its pods are collected (podgc quarantineTime). */
export const ORPHAN_QUARANTINE_MS = 40_000;
/** podgc gcCheckPeriod. */
export const GC_CHECK_PERIOD_MS = 20_000;

/** Why PodGC deletes a pod. */
export type GcReason = 'terminated' | 'orphaned' | 'unscheduled-terminating';

/** One pod to delete. */
export interface GcVictim {
  pod: Pod;
  reason: GcReason;
}

/** What the planner needs besides the pods. */
export interface GcInput {
  pods: readonly Pod[];
  nodes: readonly Node[];
  /** Since when (epoch ms) each node name bound by a pod has been missing. */
  missingSince: ReadonlyMap<string, number>;
  nowMs: number;
  threshold: number;
  quarantineMs: number;
}

function isTerminated(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function isEvicted(p: Pod): boolean {
  return (
    p.status?.reason === 'Evicted' ||
    (p.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True')
  );
}

function created(p: Pod): number {
  return Date.parse(p.metadata.creationTimestamp ?? '') || 0;
}

/** byEvictionAndCreationTimestamp: evicted first, then oldest, then by name. */
function gcOrder(a: Pod, b: Pod): number {
  const ea = isEvicted(a);
  if (ea !== isEvicted(b)) return ea ? -1 : 1;
  return created(a) - created(b) || (a.metadata.name < b.metadata.name ? -1 : 1);
}

/** Terminated pods beyond `threshold`, in the order PodGC deletes them. */
export function terminatedToCollect(pods: readonly Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter((p) => isTerminated(p) && !p.metadata.deletionTimestamp);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  return [...terminated].sort(gcOrder).slice(0, excess);
}

/** Node names bound by pods that are not among `nodes`. */
export function missingNodes(pods: readonly Pod[], nodes: readonly Node[]): Set<string> {
  const known = new Set(nodes.map((n) => n.metadata.name));
  const out = new Set<string>();
  for (const p of pods) if (p.spec.nodeName && !known.has(p.spec.nodeName)) out.add(p.spec.nodeName);
  return out;
}

/** Every pod PodGC deletes in one sweep. */
export function podsToCollect(input: GcInput): GcVictim[] {
  const out: GcVictim[] = terminatedToCollect(input.pods, input.threshold).map((pod) => ({
    pod,
    reason: 'terminated',
  }));
  const taken = new Set(out.map((v) => v.pod));
  const missing = missingNodes(input.pods, input.nodes);
  for (const pod of input.pods) {
    if (taken.has(pod)) continue;
    const node = pod.spec.nodeName;
    if (node && missing.has(node)) {
      const since = input.missingSince.get(node);
      if (since !== undefined && input.nowMs - since >= input.quarantineMs) out.push({ pod, reason: 'orphaned' });
    } else if (!node && pod.metadata.deletionTimestamp) {
      out.push({ pod, reason: 'unscheduled-terminating' });
    }
  }
  return out;
}

/** The final state PodGC gives an orphaned pod: Failed, with DisruptionTarget DeletionByPodGC. */
export function markedByPodGC(pod: Pod, now: Date): Pod {
  const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
  return {
    ...pod,
    status: {
      ...pod.status,
      phase: 'Failed',
      conditions: [
        ...conditions,
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByPodGC',
          message: 'PodGC: node no longer exists',
          lastTransitionTime: rfc3339(now),
        },
      ],
    },
  };
}

/** Creates the PodGC controller. */
export function createPodGcController(
  deps: ControllerDeps,
  o: { threshold: number; periodMs?: number; quarantineMs?: number },
): Controller {
  const { informer, writer, now } = deps;
  const log = deps.log.child({ controller: 'pod-gc' });
  const periodMs = o.periodMs ?? GC_CHECK_PERIOD_MS;
  const quarantineMs = o.quarantineMs ?? ORPHAN_QUARANTINE_MS;
  const missingSince = new Map<string, number>();
  async function sweep(): Promise<void> {
    const pods = listObjects(informer.view, 'pods');
    const nodes = listObjects(informer.view, 'nodes');
    const nowMs = now().getTime();
    const missing = missingNodes(pods, nodes);
    for (const n of missingSince.keys()) if (!missing.has(n)) missingSince.delete(n);
    for (const n of missing) if (!missingSince.has(n)) missingSince.set(n, nowMs);
    const victims = podsToCollect({ pods, nodes, missingSince, nowMs, threshold: o.threshold, quarantineMs });
    for (const { pod, reason } of victims) {
      const key = { resource: 'pods', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name };
      const final = reason === 'orphaned' ? markedByPodGC(pod, now()) : pod;
      try {
        await writer.remove(key, final, Number(pod.metadata.resourceVersion));
        log.info({ object: `${key.namespace}/${key.name}`, reason, node: pod.spec.nodeName }, 'pod garbage collected');
      } catch (err) {
        if (!(err instanceof ConflictError))
          log.warn({ err, object: `${key.namespace}/${key.name}` }, 'pod not collected');
      }
    }
  }

  return createPeriodicController('pod-gc', log, periodMs, sweep);
}
