/**
 * Collections now or as of a past resourceVersion, read in key order from any key, as
 * etcd's MVCC reads a range at a revision: the live keys (key-index.ts) merged with an
 * undo of the changes after that version (each changed key's object as of the version,
 * or none), taken from the change history. A page costs O(page + log n + changes since
 * its version), never a copy or sort of the collection: the first page reads the live
 * index, later pages the same merged with their undo.
 *
 * An undo is kept while a client has pages to come (the few latest; forgotten after the
 * last page) and brought up to date from the history before each page, so each change is
 * decoded once per paginated list. A version older than the history's floor can no
 * longer be served, as etcd's compaction ends a continue token: `at` answers undefined
 * (410 Expired). Another apiserver's token is served by building its undo from the
 * history, the same way.
 */
import type { KubeObject } from '@kemu/api';
import type { View } from '@kemu/eventlog';
import type { ChangeHistory } from './change-history.js';
import { type KeyIndex, createKeyIndex, listKeyOf, lowerBound, namespaceRange } from './key-index.js';

/** One item of a list. */
export interface ListEntry {
  key: string;
  object: KubeObject;
}

/** A collection as of one resourceVersion, read in key order. */
export interface ListSource {
  readonly resource: string;
  readonly rv: number;
  /** The items of `namespace` (all when undefined) with key ≥ `start`, ascending. */
  entries(namespace: string | undefined, start: string | undefined): Generator<ListEntry, void, undefined>;
  /** How many items of `namespace` (all when undefined) have a key ≥ `start`. */
  count(namespace: string | undefined, start: string): number;
}

/** Collections now and as of past resourceVersions. */
export interface ListSnapshots {
  /** The collection of `resource` now (at the view's sequence). */
  current(resource: string): ListSource;
  /** The collection as of `rv`; undefined when the history no longer reaches back to it or the view has not reached it. */
  at(resource: string, rv: number): ListSource | undefined;
  /** Keeps what `source` needs for its later pages (the oldest kept one goes). */
  keep(source: ListSource): void;
  /** Forgets a kept source (its list's last page is served). */
  forget(source: ListSource): void;
}

/** How many undos are kept (a few clients paginating at once). */
const KEPT = 8;

/** The objects as of `rv` of the keys changed after it (undefined: absent then), complete up to `covered`. */
interface Undo {
  rv: number;
  covered: number;
  before: Map<string, KubeObject | undefined>;
  /** `before`'s keys sorted; undefined after a new key until the next read. */
  sorted: string[] | undefined;
}

const NO_KEYS: readonly string[] = [];

/** Creates the snapshots of `view`'s collections, reaching back as far as `history` (whose changes keep the index). */
export function createListSnapshots(view: View, history: ChangeHistory): ListSnapshots {
  const index: KeyIndex = createKeyIndex(view);
  history.subscribe((change) => index.update(change.key));
  const kept = new Map<string, Undo>();
  const idOf = (resource: string, rv: number) => `${resource}\u0000${rv}`;

  /** Adds the changes after `undo.covered` up to the view's sequence; false when the history no longer has them. */
  function catchUp(resource: string, undo: Undo): boolean {
    if (undo.covered >= view.seq) return true;
    const after = history.since(undo.covered, resource);
    if (after === undefined) return false;
    for (const c of after) {
      if (c.seq > view.seq) break;
      const k = listKeyOf(c.key);
      if (undo.before.has(k)) continue;
      undo.before.set(k, c.type === 'ADDED' || !c.old ? undefined : c.old);
      undo.sorted = undefined;
    }
    undo.covered = view.seq;
    return true;
  }

  function source(resource: string, rv: number, undo: Undo | undefined): ListSource & { undo?: Undo } {
    const undoKeys = (): readonly string[] => {
      if (!undo) return NO_KEYS;
      if (!undo.sorted) undo.sorted = [...undo.before.keys()].sort();
      return undo.sorted;
    };
    const bounds = (namespace: string | undefined, start: string | undefined) => {
      const { lo, hi } = namespaceRange(namespace);
      return { from: start !== undefined && start > lo ? start : lo, hi };
    };
    const within = (k: string | undefined, hi: string | undefined) =>
      k !== undefined && (hi === undefined || k < hi) ? k : undefined;
    return {
      resource,
      rv,
      undo,
      *entries(namespace, start) {
        const { from, hi } = bounds(namespace, start);
        const live = index.of(resource);
        const changed = undoKeys();
        let i = lowerBound(live.keys, from);
        let j = lowerBound(changed, from);
        for (;;) {
          const a = within(live.keys[i], hi);
          const b = within(changed[j], hi);
          if (b !== undefined && (a === undefined || b <= a)) {
            if (a === b) i++;
            j++;
            const o = undo?.before.get(b);
            if (o) yield { key: b, object: o };
          } else if (a !== undefined) {
            yield { key: a, object: live.objects[i] as KubeObject };
            i++;
          } else return;
        }
      },
      count(namespace, start) {
        const { from, hi } = bounds(namespace, start);
        const live = index.of(resource).keys;
        const at = (k: string) => lowerBound(live, k);
        let n = (hi === undefined ? live.length : at(hi)) - at(from);
        const changed = undoKeys();
        for (let j = lowerBound(changed, from); j < changed.length; j++) {
          const k = changed[j] as string;
          if (hi !== undefined && k >= hi) break;
          n += (undo?.before.get(k) ? 1 : 0) - (live[at(k)] === k ? 1 : 0);
        }
        return n;
      },
    };
  }

  return {
    current: (resource) => source(resource, view.seq, undefined),
    at(resource, rv) {
      if (rv > view.seq) return undefined;
      const id = idOf(resource, rv);
      const undo = kept.get(id) ?? { rv, covered: rv, before: new Map(), sorted: undefined };
      if (!catchUp(resource, undo)) {
        kept.delete(id);
        return undefined;
      }
      return source(resource, rv, undo);
    },
    keep(s) {
      const undo = (s as { undo?: Undo }).undo ?? { rv: s.rv, covered: s.rv, before: new Map(), sorted: undefined };
      const id = idOf(s.resource, s.rv);
      kept.delete(id);
      kept.set(id, undo);
      if (kept.size > KEPT) kept.delete(kept.keys().next().value as string);
    },
    forget(s) {
      kept.delete(idOf(s.resource, s.rv));
    },
  };
}
