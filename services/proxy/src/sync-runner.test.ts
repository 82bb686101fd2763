import { createLogger } from '@kemu/log';
import { consistently, eventually } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { createSyncRunner } from './sync-runner.js';

const log = createLogger({ component: 'test', level: 'silent' });

describe('createSyncRunner', () => {
  it('runs nothing before start, then once for a burst of requests', async () => {
    let runs = 0;
    const r = createSyncRunner({ log, sync: async () => void runs++ });
    for (let i = 0; i < 100; i++) r.request();
    await consistently(() => runs === 0, { forMs: 30, everyMs: 5, what: 'no run before start' });
    r.start();
    for (let i = 0; i < 100; i++) r.request();
    await r.settled();
    expect(runs).toBeLessThanOrEqual(2);
    await r.stop();
  });

  it('never overlaps runs and runs again for requests made during a run', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let finishFirst: () => void = () => undefined;
    const r = createSyncRunner({
      log,
      minIntervalMs: 1,
      sync: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        // The first run lasts until the test has made its requests.
        if (runs === 1) await new Promise<void>((done) => (finishFirst = done));
        active--;
      },
    });
    r.start();
    await eventually(() => active === 1, { intervalMs: 1, what: 'the first run' });
    r.request();
    r.request();
    finishFirst();
    await r.settled();
    expect(maxActive).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(2);
    await r.stop();
  });

  it('keeps the minimum interval between run starts', async () => {
    const starts: number[] = [];
    const r = createSyncRunner({ log, minIntervalMs: 50, sync: async () => void starts.push(Date.now()) });
    r.start();
    await r.settled();
    await r.settled();
    await r.settled();
    for (let i = 1; i < starts.length; i++)
      expect((starts[i] as number) - (starts[i - 1] as number)).toBeGreaterThanOrEqual(45);
    await r.stop();
  });

  it('retries a failed run with backoff, and a new request runs without waiting for the backoff', async () => {
    let runs = 0;
    let fail = true;
    const r = createSyncRunner({
      log,
      retryInitialMs: 60_000,
      sync: async () => {
        runs++;
        if (fail) throw new Error('boom');
      },
    });
    r.start();
    await r.settled();
    expect(runs).toBe(1);
    fail = false;
    const t0 = Date.now();
    await r.settled();
    expect(runs).toBe(2);
    expect(Date.now() - t0).toBeLessThan(1000);
    await r.stop();
  });

  it('retries on its own after a failure', async () => {
    let runs = 0;
    const r = createSyncRunner({
      log,
      retryInitialMs: 20,
      sync: async () => {
        runs++;
        if (runs < 3) throw new Error('boom');
      },
    });
    r.start();
    await eventually(() => runs >= 3, { timeoutMs: 2_000, intervalMs: 5, what: 'three runs' });
    expect(runs).toBe(3);
    await r.stop();
  });
});
