/**
 * The keys of each resource's live objects, kept sorted as etcd keeps its keyspace, so a
 * list reads from any key on in O(log n) and cuts a page without sorting or scanning the
 * collection (or the view, which holds every resource). Kept in step with the view by
 * the informer's changes, which it applies and reports in one synchronous step: no
 * request ever sees the index and the view disagree. A key is `<namespace>/<name>`
 * (`/<name>` for cluster-scoped objects); the keys of one namespace are contiguous.
 * Inserting or removing a key moves the array's tail (a memmove of at most n pointers,
 * microseconds at 10 000 objects), cheaper in memory than a tree.
 */
import { type KubeObject, keyString, type ObjectKey } from '@kemu/api';
import type { View } from '@kemu/eventlog';

/** Sorted keys of the live objects, per resource. */
export interface KeyIndex {
  /** The sorted keys of `resource` (do not modify). */
  keys(resource: string): readonly string[];
  /** The live object of `resource` at list key `key`. */
  object(resource: string, key: string): KubeObject | undefined;
  /** Brings the key of `key` in line with the view (call after each applied change). */
  update(key: ObjectKey): void;
}

/** The list key of an object key: `<namespace>/<name>`. */
export function listKeyOf(key: Pick<ObjectKey, 'namespace' | 'name'>): string {
  return `${key.namespace}/${key.name}`;
}

/** The range of list keys in `namespace` (all when undefined): [lo, hi) as bounds on keys. */
export function namespaceRange(namespace: string | undefined): { lo: string; hi: string | undefined } {
  // '0' follows '/': every key with the prefix `<ns>/` sorts before `<ns>0`, and nothing else between.
  return namespace === undefined ? { lo: '', hi: undefined } : { lo: `${namespace}/`, hi: `${namespace}0` };
}

/** The index of the first key ≥ `start` in `keys`. */
export function lowerBound(keys: readonly string[], start: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const NONE: readonly string[] = [];

/** Creates the index of `view`'s objects (one pass now, then `update` per change). */
export function createKeyIndex(view: View): KeyIndex {
  const byResource = new Map<string, string[]>();
  for (const k of view.objects.keys()) {
    const slash = k.indexOf('/');
    const resource = k.slice(0, slash);
    let keys = byResource.get(resource);
    if (!keys) byResource.set(resource, (keys = []));
    keys.push(k.slice(slash + 1));
  }
  for (const keys of byResource.values()) keys.sort();

  return {
    keys: (resource) => byResource.get(resource) ?? NONE,
    object: (resource, key) => view.objects.get(`${resource}/${key}`),
    update(key) {
      const live = view.objects.has(keyString(key));
      let keys = byResource.get(key.resource);
      if (!keys) {
        if (!live) return;
        byResource.set(key.resource, (keys = []));
      }
      const k = listKeyOf(key);
      const i = lowerBound(keys, k);
      const present = keys[i] === k;
      if (live && !present) keys.splice(i, 0, k);
      else if (!live && present) keys.splice(i, 1);
    },
  };
}
