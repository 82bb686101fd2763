import type { Container } from '@kemu/api';
import { consistently, eventually, freePort } from '@kemu/testkit';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { resolvePort } from './probe.js';
import { watchReadiness } from './readiness.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function serve(port: number, status: () => number): Promise<void> {
  const s = createServer((_req, res) => res.writeHead(status()).end());
  servers.push(s);
  return new Promise((r) => s.listen(port, '127.0.0.1', () => r()));
}

const target = (container: Partial<Container>) => ({
  podIP: '127.0.0.1',
  podNetns: 'kt-ag-unused',
  container: { name: 'c', image: 'x', ...container } as Container,
});

describe('watchReadiness', () => {
  it('reports a command container ready at once', async () => {
    const seen: boolean[] = [];
    watchReadiness({ ...target({}), builtIn: false, ports: [] }, (r) => seen.push(r));
    await eventually(() => seen.length === 1);
    expect(seen).toEqual([true]);
  });

  it('reports the built-in workload ready once every port accepts TCP', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const seen: boolean[] = [];
    const stop = watchReadiness({ ...target({}), builtIn: true, ports: [a, b], pollMs: 20 }, (r) => seen.push(r));
    await serve(a, () => 200);
    await consistently(() => expect(seen).toEqual([]), { forMs: 100, what: 'not ready with one port closed' });
    await serve(b, () => 200);
    await eventually(() => seen.length === 1);
    expect(seen).toEqual([true]);
    stop();
  });

  it('follows an httpGet readinessProbe with its thresholds', async () => {
    const port = await freePort();
    let code = 503;
    await serve(port, () => code);
    const seen: boolean[] = [];
    const probe = { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 };
    const stop = watchReadiness(
      {
        ...target({ readinessProbe: probe, ports: [{ name: 'http', containerPort: port }] }),
        builtIn: true,
        ports: [port],
      },
      (r) => seen.push(r),
    );
    await consistently(() => expect(seen).toEqual([]), { forMs: 200, what: 'no report while the probe fails' });
    code = 200;
    await eventually(() => seen.length === 1, { timeoutMs: 3_000 });
    code = 500;
    await eventually(() => seen.length === 2, { timeoutMs: 3_000 });
    expect(seen).toEqual([true, false]);
    stop();
  });

  it('reports only changes for an adopted container that was ready', async () => {
    const seen: boolean[] = [];
    const stop = watchReadiness({ ...target({}), builtIn: true, ports: [1], initiallyReady: true, pollMs: 10 }, (r) =>
      seen.push(r),
    );
    await consistently(() => expect(seen).toEqual([]), { forMs: 100, what: 'no report without a change' });
    stop();
  });

  it('resolves named and numeric probe ports', () => {
    const c = { name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] };
    expect([resolvePort('http', c), resolvePort(9090, c), resolvePort('7070', c), resolvePort('nope', c)]).toEqual([
      8080,
      9090,
      7070,
      undefined,
    ]);
  });
});
