/** Waits until a TCP port accepts connections. */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WaitTimeoutError } from '../errors.js';

/** Tries one TCP connect; resolves true when it succeeded. */
export function canConnect(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** How often the port is tried: a refused local connection costs next to nothing, and `kemu up` waits on it (nats-server listens within ~50 ms). */
const POLL_MS = 20;

/** Polls host:port until it accepts a connection, or throws WaitTimeoutError; `abort` may end the wait early with its own error. */
export async function waitForPort(
  host: string,
  port: number,
  options: { timeoutMs: number; what: string; check?: () => void | Promise<void> },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await canConnect(host, port)) return;
    await options.check?.();
    if (Date.now() > deadline) throw new WaitTimeoutError(`timed out waiting for ${options.what} on ${host}:${port}`);
    await sleep(POLL_MS);
  }
}
