import { eventually, freePort } from '@kemu/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { attemptConnection, startDbClient } from './db-client.js';
import { type TcpWorkload, startTcpWorkload } from './tcp-server.js';

const started: TcpWorkload[] = [];
afterEach(async () => {
  for (const w of started.splice(0)) await w.close();
});

describe('the database TCP server and the app client', () => {
  it('greets every connection on every port', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const w = await startTcpWorkload({ ports: [a, b], host: '127.0.0.1', greeting: 'mysql ready' }, () => undefined);
    started.push(w);
    expect(w.ports).toEqual([a, b]);
    for (const port of [a, b]) {
      const r = await attemptConnection('127.0.0.1', port, 2_000);
      expect(r).toMatchObject({ ok: true, greeting: 'mysql ready' });
    }
  });

  it('reports a refused connection and a name that does not resolve as errors', async () => {
    const port = await freePort();
    expect(await attemptConnection('127.0.0.1', port, 2_000)).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    const r = await attemptConnection('no-such-host.invalid', port, 2_000);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  it('logs one JSON result per interval, errors until the server is up and ok afterwards', async () => {
    const port = await freePort();
    const lines: Record<string, unknown>[] = [];
    const stop = startDbClient({ host: '127.0.0.1', port, intervalMs: 100 }, (f) => lines.push(f));
    try {
      await eventually(() => lines.length >= 2, { timeoutMs: 2_000, what: 'two results' });
      expect(lines.every((l) => l.result === 'error' && l.error === 'ECONNREFUSED')).toBe(true);
      started.push(await startTcpWorkload({ ports: [port], host: '127.0.0.1', greeting: 'hi' }, () => undefined));
      await eventually(() => lines.some((l) => l.result === 'ok'), { timeoutMs: 2_000, intervalMs: 50, what: 'ok' });
      expect(lines.find((l) => l.result === 'ok')).toMatchObject({ target: `127.0.0.1:${port}`, greeting: 'hi' });
    } finally {
      stop();
    }
  });
});
