/**
 * The "app" image: connects to `$DB_HOST:$DB_PORT` once per interval and logs each
 * attempt as a JSON line — ok with the greeting and the time it took, or error with the
 * reason (a name that does not resolve yet, a refused connection, a timeout).
 */
import { connect } from 'node:net';
import type { LogLine } from './http-server.js';

/** One connection attempt's outcome. */
export interface AttemptResult {
  ok: boolean;
  ms: number;
  greeting?: string;
  error?: string;
}

/** Connects once, reads the first line, and closes. */
export function attemptConnection(host: string, port: number, timeoutMs: number): Promise<AttemptResult> {
  const t0 = performance.now();
  const ms = () => Math.round((performance.now() - t0) * 10) / 10;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    let buffer = '';
    const done = (r: Omit<AttemptResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ ...r, ms: ms() });
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: `timeout after ${timeoutMs} ms` }));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl >= 0) done({ ok: true, greeting: buffer.slice(0, nl) });
    });
    socket.once('connect', () => setTimeout(() => done({ ok: true }), 500).unref());
    socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
  });
}

/** Connects every `intervalMs` until stopped; returns the stopper. */
export function startDbClient(
  options: { host: string; port: number; intervalMs: number; timeoutMs?: number },
  log: LogLine,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const target = `${options.host}:${options.port}`;
  const loop = async () => {
    const r = await attemptConnection(options.host, options.port, options.timeoutMs ?? 2_000);
    if (stopped) return;
    if (r.ok) log({ msg: 'connected', result: 'ok', target, ms: r.ms, greeting: r.greeting });
    else log({ msg: 'connection failed', result: 'error', target, ms: r.ms, error: r.error });
    timer = setTimeout(() => void loop(), options.intervalMs);
  };
  void loop();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
