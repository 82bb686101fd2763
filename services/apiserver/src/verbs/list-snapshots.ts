/**
 * Collections as of a past resourceVersion, for the later pages of a paginated list: the
 * current view with the changes after that version undone, newest first, from the change
 * history (the ring watches replay from). A version older than the history's floor can
 * no longer be served, as etcd's compaction ends a continue token: 410 Expired. The few
 * latest paginated lists are kept, sorted, so a client reading page after page pays for
 * the sort (and any undo) once; a kept list is served even after the history has moved
 * past its version, as it is the collection as of that version.
 */
import type { KubeObject } from '@kemu/api';
import { listObjects, type View } from '@kemu/eventlog';
import type { ChangeHistory } from './change-history.js';

/** A collection as of one resourceVersion, sorted by key as etcd returns it. */
export interface SortedList {
  rv: number;
  /** `<namespace>/<name>` of each object, ascending. */
  keys: string[];
  objects: KubeObject[];
}

/** Sorted collections, now or as of a past resourceVersion. */
export interface ListSnapshots {
  /**
   * The collection as of `rv` (the view's sequence: now); undefined when the history no
   * longer reaches back to `rv` or the view has not reached it.
   */
  at(resource: string, namespace: string | undefined, rv: number): SortedList | undefined;
  /** Keeps a list for its later pages (the oldest kept one goes). */
  keep(resource: string, namespace: string | undefined, list: SortedList): void;
}

/** How many sorted collections are kept (a few clients paginating at once). */
const KEPT = 8;

/** The key a list sorts and continues by. */
export function listKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Creates the snapshots of `view`'s collections, reaching back as far as `history`. */
export function createListSnapshots(view: View, history: ChangeHistory): ListSnapshots {
  const kept = new Map<string, SortedList>();
  const idOf = (resource: string, namespace: string | undefined, rv: number) =>
    `${resource}\u0000${namespace ?? ''}\u0000${rv}`;

  function build(resource: string, namespace: string | undefined, rv: number): SortedList | undefined {
    const byKey = new Map<string, KubeObject>();
    for (const o of listObjects(view, resource, namespace)) byKey.set(listKey(o), o);
    if (rv < view.seq) {
      const after = history.since(rv, resource);
      if (after === undefined) return undefined;
      for (let i = after.length - 1; i >= 0; i--) {
        const c = after[i];
        if (!c || c.seq > view.seq) continue;
        if (namespace !== undefined && c.key.namespace !== namespace) continue;
        const k = `${c.key.namespace}/${c.key.name}`;
        if (c.type === 'ADDED' || !c.old) byKey.delete(k);
        else byKey.set(k, c.old);
      }
    }
    const keys = [...byKey.keys()].sort();
    return { rv, keys, objects: keys.map((k) => byKey.get(k) as KubeObject) };
  }

  return {
    at(resource, namespace, rv) {
      if (rv > view.seq) return undefined;
      return kept.get(idOf(resource, namespace, rv)) ?? build(resource, namespace, rv);
    },
    keep(resource, namespace, list) {
      const id = idOf(resource, namespace, list.rv);
      kept.delete(id);
      kept.set(id, list);
      if (kept.size > KEPT) kept.delete(kept.keys().next().value as string);
    },
  };
}
