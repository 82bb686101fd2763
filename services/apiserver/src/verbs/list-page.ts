/**
 * One page of a list, as the Kubernetes apiserver cuts it: up to `limit` matching items
 * after the continue token's start key, a continue token when matching items remain, and
 * `remainingItemCount` only when nothing filters the list (etcd counts keys, not matches).
 * Pure: the collection comes sorted from list-snapshots.ts.
 */
import type { KubeObject } from '@kemu/api';
import { encodeContinue, keyAfter } from './continue-token.js';
import type { SortedList } from './list-snapshots.js';

/** What a page asks for. */
export interface PageRequest {
  /** Items per page; undefined: all. */
  limit: number | undefined;
  /** The first key the page may hold (from the continue token); undefined: from the first. */
  start: string | undefined;
  matches(o: KubeObject): boolean;
  /** True when a label or field selector filters the list. */
  filtered: boolean;
}

/** A page and its list metadata. */
export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** The index of the first key ≥ `start`. */
function firstAtOrAfter(keys: readonly string[], start: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Cuts the page `request` asks for out of `list`. */
export function listPage(list: SortedList, request: PageRequest): ListPage {
  const { keys, objects } = list;
  const limit = request.limit ?? Number.POSITIVE_INFINITY;
  const items: KubeObject[] = [];
  let i = request.start === undefined ? 0 : firstAtOrAfter(keys, request.start);
  for (; i < objects.length && items.length < limit; i++) {
    const o = objects[i] as KubeObject;
    if (request.matches(o)) items.push(o);
  }
  const page: ListPage = { items, resourceVersion: String(list.rv) };
  let more = false;
  for (let j = i; j < objects.length && !more; j++) more = request.matches(objects[j] as KubeObject);
  if (more) {
    page.continue = encodeContinue(list.rv, keyAfter(keys[i - 1] as string));
    if (!request.filtered) page.remainingItemCount = objects.length - i;
  }
  return page;
}
