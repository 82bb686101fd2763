/**
 * Server-sent events on a raw response: headers, one `id`/`event`/`data` block per
 * message, a comment every 15 s so proxies and the browser keep the stream open.
 */
import type { ServerResponse } from 'node:http';

/** An open event stream. */
export interface SseStream {
  send(event: string, data: unknown, id?: number): void;
  /** Resolves when the client goes away. */
  readonly closed: Promise<void>;
  close(): void;
}

/** Starts an event stream on `res`. */
export function openSse(res: ServerResponse): SseStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 1000\n\n');
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  ping.unref();
  const closed = new Promise<void>((resolve) =>
    res.once('close', () => {
      clearInterval(ping);
      resolve();
    }),
  );
  return {
    send(event, data, id) {
      res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    closed,
    close: () => res.end(),
  };
}
