/**
 * One page of a list, as the Kubernetes apiserver cuts it: up to `limit` matching items
 * after the continue token's start key, a continue token when matching items remain, and
 * `remainingItemCount` only when nothing filters the list (etcd counts keys, not matches).
 * Reads the collection in key order from the start key (list-snapshots.ts), so an
 * unfiltered page visits `limit + 1` items whatever the collection's size; a filtered one
 * visits the items up to the next match after the page (each item about twice over a
 * whole paginated list).
 */
import type { KubeObject } from '@kemu/api';
import { encodeContinue, keyAfter } from './continue-token.js';
import type { ListSource } from './list-snapshots.js';

/** What a page asks for. */
export interface PageRequest {
  /** The namespace listed; undefined: all. */
  namespace: string | undefined;
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

/** Cuts the page `request` asks for out of `list`. */
export function listPage(list: ListSource, request: PageRequest): ListPage {
  const limit = request.limit ?? Number.POSITIVE_INFINITY;
  const items: KubeObject[] = [];
  let last = '';
  let more = false;
  for (const { key, object } of list.entries(request.namespace, request.start)) {
    if (!request.matches(object)) continue;
    if (items.length >= limit) {
      more = true;
      break;
    }
    items.push(object);
    last = key;
  }
  const page: ListPage = { items, resourceVersion: String(list.rv) };
  if (more) {
    const start = keyAfter(last);
    page.continue = encodeContinue(list.rv, start);
    if (!request.filtered) page.remainingItemCount = list.count(request.namespace, start);
  }
  return page;
}
