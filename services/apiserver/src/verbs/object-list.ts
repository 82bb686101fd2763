/**
 * LIST of a collection with the pagination kubectl uses (`--chunk-size`, 500 by default):
 * `limit` cuts a page, and its continue token names the list's resourceVersion, so every
 * later page is served as of the first page's version (list-snapshots.ts) and a write
 * between pages shows on none of them, as with etcd. A token older than the change
 * history is 410 Expired with a token to go on inconsistently, as the apiserver answers
 * after a compaction. Without `limit` or `continue` it is the whole list, as before.
 */
import { type ApiError, type ResourceType, badRequest, expired } from '@kemu/api';
import type { ApiContext } from '../context.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { type ListPage, listPage } from './list-page.js';
import { objectMatcher } from './object-matcher.js';
import { parseResourceVersion } from './watch.js';

/** How long a continue token from a version this apiserver has not applied yet is waited for (another replica wrote it). */
const AHEAD_WAIT_MS = 2_000;

/** The upstream message of an expired continue token. */
const EXPIRED_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** Parses `limit`: an integer; zero or less (or none) means no limit. */
export function limitParam(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^-?\d{1,16}$/.test(value)) throw badRequest(`invalid limit ${JSON.stringify(value)}`);
  const n = Number(value);
  return n > 0 ? n : undefined;
}

/** One page (or all) of the collection a list request asks for. */
export async function listCollection(
  ctx: ApiContext,
  type: ResourceType,
  namespace: string | undefined,
  q: URLSearchParams,
): Promise<ListPage> {
  const rv = q.get('resourceVersion');
  if (rv !== null && rv !== '') parseResourceVersion(rv);
  const token = q.get('continue') || undefined;
  if (token !== undefined && rv !== null && rv !== '' && rv !== '0')
    throw badRequest('specifying resource version is not allowed when using continue');
  const limit = limitParam(q.get('limit'));
  const labelSelector = q.get('labelSelector');
  const fieldSelector = q.get('fieldSelector');
  const matches = objectMatcher(type.resource, labelSelector, fieldSelector);
  const view = ctx.informer.view;
  const request = { namespace, limit, matches, filtered: Boolean(labelSelector || fieldSelector) };
  const c = token === undefined ? undefined : decodeContinue(token);
  if (c && c.rv > view.seq) await ctx.informer.waitForSeq(c.rv, AHEAD_WAIT_MS);
  const list = c ? ctx.lists.at(type.resource, c.rv) : ctx.lists.current(type.resource);
  if (!list) throw expiredContinue(view.seq, c?.start ?? '');
  const page = listPage(list, { ...request, start: c?.start });
  // Kept only while a client has pages to come: a list that fits in one page is not.
  if (page.continue) ctx.lists.keep(list);
  else if (c) ctx.lists.forget(list);
  return page;
}

/** 410 Expired carrying the token that continues from `start` in the current list. */
function expiredContinue(seq: number, start: string): ApiError {
  const err = expired(EXPIRED_CONTINUE);
  err.status.metadata = { continue: encodeContinue(seq, start) };
  return err;
}
