import { createLogger } from '@kemu/log';
import { describe, expect, it } from 'vitest';
import { createSyncRunner } from './sync-runner.js';

const log = createLogger({ component: 'test', level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createSyncRunner', () => {
  it('runs nothing before start, then once for a burst of requests', async () => {
    let runs = 0;
    const r = createSyncRunner({ log, sync: async () => void runs++ });
    for (let i = 0; i < 100; i++) r.request();
    await sleep(30);
    expect(runs).toBe(0);
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
    const r = createSyncRunner({
      log,
      minIntervalMs: 1,
      sync: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await sleep(20);
        active--;
      },
    });
    r.start();
    await sleep(5);
    r.request();
    r.request();
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
    const deadline = Date.now() + 2000;
    while (runs < 3 && Date.now() < deadline) await sleep(5);
    expect(runs).toBe(3);
    await r.stop();
  });
});
