/**
 * Requests Node's HTTP parser refuses before any handler runs (headers over the
 * server's limit, a malformed request line) get a Status like every other refusal: 431
 * for oversized headers, as Go's server answers for headers over its limit, else 400.
 * The connection is half-closed after the reply and drained until the client closes
 * it: closing a socket with unread bytes makes the kernel send a reset, which can reach
 * the client before the reply does.
 */
import type { Duplex } from 'node:stream';

/** How long a refused connection is drained before it is destroyed. */
const DRAIN_MS = 5_000;

function statusReply(code: number, reason: string, message: string): string {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
  const text = code === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  return (
    `HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

/** Answers a request the HTTP parser refused (the server's `clientError` event). */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const reply =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? statusReply(431, 'RequestHeaderFieldsTooLarge', 'Request Header Fields Too Large')
      : statusReply(400, 'BadRequest', `malformed HTTP request: ${err.code ?? err.message}`);
  socket.end(reply);
  socket.on('error', () => socket.destroy());
  socket.resume();
  setTimeout(() => socket.destroy(), DRAIN_MS).unref();
}
