/**
 * ControllerRevisions of a StatefulSet or DaemonSet, pure (history.go and stateful_set_utils.go):
 * a revision's data is the strategic-merge patch `{"spec":{"template":{…,"$patch":"replace"}}}`
 * that `kubectl rollout undo` applies back to the set, its name `<set>-<hash>` with the
 * hash of that data, and its number one above the highest. An equal template finds
 * its revision again (rolling back re-numbers it instead of creating a new one).
 */
import {
  CONTROLLER_REVISION_HASH_LABEL,
  type ControllerRevision,
  type PodTemplateSpec,
  type DaemonSet,
  type StatefulSet,
  deepEqual,
} from '@kemu/api';
import { rfc3339 } from './conditions.js';
import { newControllerRef } from './controller-ref.js';
import { podTemplateHash } from './pod-template-hash.js';

/** A workload whose template history is kept in ControllerRevisions. */
export type RevisionedWorkload = StatefulSet | DaemonSet;

/** The revision data of a set: its template as a replacing strategic-merge patch. */
export function revisionData(set: RevisionedWorkload): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...structuredClone(set.spec.template), $patch: 'replace' } } };
}

/** The pod template a revision stores. */
export function revisionTemplate(revision: ControllerRevision): PodTemplateSpec | undefined {
  const data = revision.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined;
  const t = data?.spec?.template;
  if (!t) return undefined;
  const { $patch: _p, ...template } = t;
  return template as PodTemplateSpec;
}

/** A new ControllerRevision of `set` numbered `revision` (history.NewControllerRevision). */
export function newRevision(set: RevisionedWorkload, revision: number, uid: string, now: Date): ControllerRevision {
  const data = revisionData(set);
  const hash = podTemplateHash(data.spec.template as unknown as PodTemplateSpec, set.status?.collisionCount);
  const labels = { ...(set.spec.template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${set.metadata.name}-${hash}`,
      namespace: set.metadata.namespace ?? 'default',
      uid,
      creationTimestamp: rfc3339(now),
      labels,
      ...(set.metadata.annotations ? { annotations: { ...set.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(set)],
    },
    data,
    revision,
  };
}

/** The highest revision number, 0 for none (history.nextRevision minus one). */
export function maxRevision(revisions: readonly ControllerRevision[]): number {
  return Math.max(0, ...revisions.map((r) => r.revision ?? 0));
}

/** The revision among `revisions` whose data equals the set's current template, if any. */
export function findEqualRevision(
  set: RevisionedWorkload,
  revisions: readonly ControllerRevision[],
): ControllerRevision | undefined {
  const data = revisionData(set);
  return revisions.find((r) => deepEqual(r.data as never, data as never));
}

/**
 * The revisions to delete so at most `revisionHistoryLimit` non-live ones remain, the
 * oldest first (truncateHistory); live ones (current, update, in use by a pod) stay.
 */
export function revisionsToPrune(
  revisions: readonly ControllerRevision[],
  live: ReadonlySet<string>,
  limit: number,
): ControllerRevision[] {
  const history = revisions.filter((r) => !live.has(r.metadata.name)).sort((a, b) => a.revision - b.revision);
  return history.slice(0, Math.max(0, history.length - limit));
}
