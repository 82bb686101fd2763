/**
 * Watch streams: newline-separated JSON events over a chunked 200 reply. From
 * resourceVersion N only changes after N are sent (replayed from the change history,
 * 410 Expired as an ERROR event when N is older than it); from "0" or no version the
 * current objects come first as ADDED. Selectors filter (an object that stops matching
 * is DELETED), BOOKMARKs are sent when allowed, `timeoutSeconds` ends the stream, and
 * nothing else does. With a Table Accept each event carries a one-row Table with its
 * column definitions.
 */
import { type KubeObject, type ResourceType, apiVersionOf, badRequest, expired } from '@kemu/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../context.js';
import { tooManyRequestsError } from '../http/http-io.js';
import { listMatching } from './object-read.js';
import { type IncludeObject, buildTable } from '../tables/build-table.js';
import { printerFor } from '../tables/printers.js';
import { type WatchChange, type WatchEvent, type WatchScope, watchEventFor } from './watch-filter.js';

/** What one watch request asked for. */
export interface WatchRequest {
  type: ResourceType;
  scope: WatchScope;
  resourceVersion: string | null;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
  table: { includeObject: IncludeObject } | undefined;
}

/** A watch buffer past this many bytes means the client does not read: the stream is closed and it re-watches. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * A resourceVersion parameter as a stream sequence: decimal digits only, as Go's
 * ParseUint reads it (no sign, space, exponent, fraction or hex); 400 otherwise.
 */
export function parseResourceVersion(rv: string): number {
  const n = /^\d{1,16}$/.test(rv) ? Number(rv) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid resource version: ${rv}`);
  return n;
}

/** Parses `timeoutSeconds`; undefined when absent. */
export function timeoutSecondsParam(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid timeoutSeconds ${JSON.stringify(value)}`);
  return n === 0 ? undefined : n;
}

/** Serves one watch until the client goes, the timeout passes or the server closes. */
export function serveWatch(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, w: WatchRequest): void {
  if (ctx.watches.open >= ctx.watches.max) throw tooManyRequestsError();
  const apiVersion = apiVersionOf(w.type);
  const printer = printerFor(w.type.resource, ctx.version);

  function encode(type: string, object: unknown): string {
    return `${JSON.stringify({ type, object })}\n`;
  }

  function eventObject(obj: KubeObject): unknown {
    if (!w.table) return obj;
    return buildTable(printer, [obj], {
      now: ctx.clock(),
      includeObject: w.table.includeObject,
      resourceVersion: obj.metadata.resourceVersion,
    });
  }

  let initial: WatchEvent[] = [];
  let replay: WatchChange[] = [];
  let after: number;
  const rv = w.resourceVersion;
  if (rv === null || rv === '' || rv === '0') {
    initial = listMatching(ctx, w.type, w.scope.namespace, w.scope.matches).map((object) => ({
      type: 'ADDED' as const,
      object,
    }));
    after = ctx.informer.view.seq;
  } else {
    const n = parseResourceVersion(rv);
    const since = ctx.history.since(n, w.type.resource);
    if (since === undefined) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
      const status = expired(`too old resource version: ${n} (${ctx.history.floor(w.type.resource)})`).status;
      res.end(encode('ERROR', status));
      return;
    }
    replay = since;
    after = n;
  }

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  ctx.watches.open += 1;
  let closed = false;
  let lastSeq = after;

  function send(type: string, object: unknown): void {
    if (closed) return;
    res.write(encode(type, object));
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      ctx.log.warn({ resource: w.type.resource, buffered: res.writableLength }, 'watch client too slow, closing');
      close();
    }
  }

  function onChange(change: WatchChange): void {
    if (change.seq <= lastSeq) return;
    lastSeq = change.seq;
    const ev = watchEventFor(w.scope, change);
    if (ev) send(ev.type, eventObject(ev.object));
  }

  // Subscribe before replaying, in the same tick: nothing can fall between the two.
  const unsubscribe = ctx.history.subscribe(onChange);
  for (const ev of initial) send(ev.type, eventObject(ev.object));
  for (const c of replay) onChange(c);

  const timers: NodeJS.Timeout[] = [];
  if (w.allowBookmarks) {
    timers.push(
      setInterval(() => {
        send('BOOKMARK', {
          kind: w.type.kind,
          apiVersion,
          metadata: { resourceVersion: String(Math.max(lastSeq, ctx.informer.view.seq)) },
        });
      }, ctx.bookmarkIntervalMs),
    );
  }
  if (w.timeoutSeconds !== undefined) timers.push(setTimeout(close, w.timeoutSeconds * 1000));

  function close(): void {
    if (closed) return;
    closed = true;
    ctx.watches.open -= 1;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    res.end();
  }
  req.on('close', close);
  res.on('close', close);
}
