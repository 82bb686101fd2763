import { createLogger } from '@kemu/log';
import { consistently, eventually } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, workQueueMetricsProvider } from '@kemu/metrics';
import { createWorkQueue, setWorkQueueMetricsProvider } from './work-queue.js';

const log = createLogger({ component: 'test', level: 'silent' });

describe('work queue', () => {
  it('holds keys until started and de-duplicates them', async () => {
    const seen: string[] = [];
    const q = createWorkQueue({ name: 't', log, sync: async (k) => void seen.push(k) });
    q.add('a');
    q.add('b');
    q.add('a');
    await consistently(() => expect(seen).toEqual([]), { forMs: 5, everyMs: 1, what: 'nothing synced before start' });
    expect(q.length).toBe(2);
    q.start();
    await q.idle();
    expect(seen).toEqual(['a', 'b']);
    await q.stop();
  });

  it('processes one key at a time and syncs a key again when it was added during its sync', async () => {
    let active = 0;
    let maxActive = 0;
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = createWorkQueue({
      name: 't',
      log,
      sync: async (k) => {
        active++;
        maxActive = Math.max(maxActive, active);
        seen.push(k);
        if (seen.length === 1) await gate;
        active--;
      },
    });
    q.start();
    q.add('a');
    await eventually(() => active === 1, { intervalMs: 1, what: 'a being synced' });
    q.add('a'); // changed while being synced
    q.add('a');
    q.add('b');
    release();
    await q.idle();
    expect(seen).toEqual(['a', 'b', 'a']);
    expect(maxActive).toBe(1);
    await q.stop();
  });

  it('retries a failing key with backoff and succeeds later', async () => {
    const times: number[] = [];
    const q = createWorkQueue({
      name: 't',
      log,
      baseDelayMs: 20,
      sync: async () => {
        times.push(Date.now());
        if (times.length < 3) throw Object.assign(new Error('conflict'), { code: 'Conflict' });
      },
    });
    q.start();
    q.add('a');
    await eventually(() => times.length >= 3, { timeoutMs: 2_000, intervalMs: 5, what: 'three attempts' });
    expect(times).toHaveLength(3);
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(15);
    expect((times[2] as number) - (times[1] as number)).toBeGreaterThanOrEqual(35);
    await consistently(() => expect(times).toHaveLength(3), { forMs: 100, what: 'no attempt after success' });
    await q.stop();
  });

  it('gives up on a key after the retry bound', async () => {
    let calls = 0;
    const q = createWorkQueue({
      name: 't',
      log,
      maxRetries: 3,
      baseDelayMs: 1,
      sync: async () => {
        calls++;
        throw new Error('boom');
      },
    });
    q.start();
    q.add('a');
    await eventually(() => calls >= 4, { timeoutMs: 2_000, intervalMs: 1, what: 'four attempts' });
    await consistently(() => expect(calls).toBe(4), { forMs: 100, what: 'no attempt past the retry bound' });
    q.add('a'); // a later change is processed again
    await q.idle();
    expect(calls).toBe(5);
    await q.stop();
  });

  it('drops delayed adds on stop', async () => {
    const seen: string[] = [];
    const q = createWorkQueue({ name: 't', log, sync: async (k) => void seen.push(k) });
    q.start();
    q.addAfter('a', 30);
    await q.stop();
    await consistently(() => expect(seen).toEqual([]), { forMs: 60, what: 'the delayed add dropped' });
  });

  it('keeps one delayed add per key, the earliest: a later one is dropped, a sooner one brings the key forward', async () => {
    const seen: string[] = [];
    const q = createWorkQueue({ name: 't', log, sync: async (k) => void seen.push(k) });
    q.start();
    for (let i = 0; i < 50; i++) q.addAfter('a', 60_000 + i);
    q.addAfter('b', 60_000);
    q.addAfter('b', 20);
    await eventually(() => seen.length === 1 && seen[0] === 'b', { intervalMs: 5, what: 'b brought forward' });
    await consistently(() => expect(seen).toEqual(['b']), { forMs: 60, what: 'a still waits, synced never' });
    q.addAfter('a', 10);
    await eventually(() => seen.length === 2, { intervalMs: 5, what: 'a brought forward once' });
    expect(seen).toEqual(['b', 'a']);
    await consistently(() => expect(seen).toEqual(['b', 'a']), {
      forMs: 60,
      what: 'no second a from the dropped adds',
    });
    await q.stop();
  });

  it("reports client-go's workqueue metrics: adds, depth, queue and work time, retries", async () => {
    const registry = createMetricsRegistry();
    setWorkQueueMetricsProvider(workQueueMetricsProvider(registry));
    let failures = 0;
    const q = createWorkQueue({
      name: 'measured',
      log,
      baseDelayMs: 1,
      sync: async (k) => {
        if (k === 'flaky' && failures++ === 0) throw new Error('once');
      },
    });
    setWorkQueueMetricsProvider(() => ({ added() {}, started() {}, finished() {}, retried() {} }));
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('flaky');
    let text = await registry.metrics();
    expect(text).toContain('workqueue_depth{name="measured"} 3');
    q.start();
    await eventually(() => failures === 2 || undefined, { timeoutMs: 2_000 });
    await q.idle();
    text = await registry.metrics();
    expect(text).toContain('workqueue_adds_total{name="measured"} 4');
    expect(text).toContain('workqueue_depth{name="measured"} 0');
    expect(text).toContain('workqueue_retries_total{name="measured"} 1');
    expect(text).toContain('workqueue_work_duration_seconds_count{name="measured"} 4');
    expect(text).toContain('workqueue_queue_duration_seconds_count{name="measured"} 4');
    await q.stop();
  });
});
