/**
 * A list reply written in pieces of a few hundred items, each encoded as it is sent, as
 * kube-apiserver streams a large list's encoding to the connection: a 10 000-pod list
 * was one 25 MB string, then a 25 MB buffer, then TLS records, all alive at once (the
 * apiserver's RSS kept the peak). The next piece is encoded once the connection has
 * drained the last, so a slow client holds one piece, not the list; a client gone stops
 * the writing. The bytes are those of JSON.stringify of the whole reply, sent chunked.
 * A piece is cut at PIECE_CHARS, below V8's large-object size: a piece of 250 pods
 * (600 KB) is a large object, which V8 moves to the old generation when a young-generation
 * GC finds it alive (as while it is encoded and written), to be freed by a full GC only.
 * A Table's rows are printed piece by piece too (`print`), never all 10 000 at once.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from './http-io.js';

/** Lists of more items than this are sent in pieces (a pod is 1–3 KB of JSON). */
const PIECE_ITEMS = 250;

/** Characters of JSON a piece reaches before it is sent: under V8's large-object size (128 KiB). */
const PIECE_CHARS = 64 * 1024;

/** Stands for the array in the reply's frame; a string no object can hold unescaped. */
const SENTINEL = '\u0000kemu-list-items\u0000';

/** Resolves true when `res` has drained, false when its connection closed first. */
function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/**
 * Sends a 200 list reply (`items`, or a Table's `rows`); small ones at once, as sendJson.
 * With `print`, each element of the array is sent as `print(element)` (a Table's row of
 * an object), made as its piece is written.
 */
export async function sendList(res: ServerResponse, body: object, print?: (element: never) => unknown): Promise<void> {
  const field = 'items' in body ? 'items' : 'rows';
  const array = (body as Record<string, unknown>)[field];
  if (!Array.isArray(array)) return sendJson(res, 200, body);
  if (array.length <= PIECE_ITEMS)
    return sendJson(res, 200, print ? { ...body, [field]: array.map((e) => print(e as never)) } : body);
  const frame = JSON.stringify({ ...body, [field]: SENTINEL });
  const at = frame.indexOf(JSON.stringify(SENTINEL));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  let ready = res.write(`${frame.slice(0, at)}[`);
  let parts: string[] = [];
  let chars = 0;
  for (let i = 0; i < array.length; i++) {
    const json = JSON.stringify(print ? print(array[i] as never) : array[i]);
    parts.push(json);
    chars += json.length + 1;
    if (chars < PIECE_CHARS && i < array.length - 1) continue;
    if (!ready && !(await drained(res))) return;
    const piece = parts.join(',');
    ready = res.write(i + 1 === parts.length ? piece : `,${piece}`);
    parts = [];
    chars = 0;
  }
  res.end(`]${frame.slice(at + JSON.stringify(SENTINEL).length)}`);
}
