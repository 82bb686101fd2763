/**
 * Writes the ControllerRevisions of a StatefulSet or DaemonSet: the update revision is
 * the one whose data equals the current template (re-numbered above the rest when a
 * rollback returns to it) or a new one; old revisions past revisionHistoryLimit go.
 */
import type { ControllerRevision } from '@kemu/api';
import { listObjects } from '@kemu/eventlog';
import { randomUUID } from 'node:crypto';
import type { ControllerDeps } from './controller.js';
import { controllerRefOf } from './controller-ref.js';
import {
  type RevisionedWorkload,
  findEqualRevision,
  maxRevision,
  newRevision,
  revisionsToPrune,
} from './controller-revisions.js';

/** The revisions `owner` controls. */
export function ownedRevisions(
  deps: Pick<ControllerDeps, 'informer'>,
  owner: RevisionedWorkload,
): ControllerRevision[] {
  return listObjects(deps.informer.view, 'controllerrevisions', owner.metadata.namespace ?? 'default').filter(
    (r) => controllerRefOf(r)?.uid === owner.metadata.uid,
  );
}

/** Finds or writes the update revision of `owner` among `revisions`. */
export async function ensureUpdateRevision(
  deps: Pick<ControllerDeps, 'informer' | 'writer' | 'now'>,
  owner: RevisionedWorkload,
  revisions: readonly ControllerRevision[],
): Promise<ControllerRevision> {
  const namespace = owner.metadata.namespace ?? 'default';
  const top = maxRevision(revisions);
  const equal = findEqualRevision(owner, revisions);
  if (equal) {
    if (equal.revision === top) return equal;
    const stored = await deps.writer.update(
      { resource: 'controllerrevisions', namespace, name: equal.metadata.name },
      (cur) => ({ ...cur, revision: top + 1 }),
    );
    return stored ?? equal;
  }
  const created = newRevision(owner, top + 1, randomUUID(), deps.now());
  if (deps.informer.lister('controllerrevisions').get(namespace, created.metadata.name))
    throw new Error(`controllerrevision ${created.metadata.name} exists with other data (hash collision)`);
  const key = { resource: 'controllerrevisions', namespace, name: created.metadata.name };
  return (await deps.writer.put(key, created)) as ControllerRevision;
}

/** Deletes the oldest revisions not in `live` beyond the owner's revisionHistoryLimit. */
export async function pruneRevisions(
  deps: Pick<ControllerDeps, 'writer'>,
  owner: RevisionedWorkload,
  revisions: readonly ControllerRevision[],
  live: ReadonlySet<string>,
): Promise<void> {
  const namespace = owner.metadata.namespace ?? 'default';
  for (const r of revisionsToPrune(revisions, live, owner.spec.revisionHistoryLimit ?? 10))
    await deps.writer.remove(
      { resource: 'controllerrevisions', namespace, name: r.metadata.name },
      r,
      Number(r.metadata.resourceVersion),
    );
}
