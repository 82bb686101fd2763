import { type EventLog, type Informer, createView, openSnapshotStore, startInformer } from '@kemu/eventlog';
import { churnEvents, publishChurn } from '@kemu/testkit';
import type { Logger } from '@kemu/log';
import { type EventLogFixture, consistently, eventually, startEventLogFixture } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSnapshotWriter } from './snapshot-writer.js';

describe('event-log snapshot writer', () => {
  let fx: EventLogFixture;
  let eventLog: EventLog;
  let informer: Informer;
  let log: Logger;
  const cleanup: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    fx = await startEventLogFixture();
    ({ eventLog, informer, log } = fx);
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
    await fx.close();
  });

  it('writes every N events, keeps the newest few, and a fresh informer starts from the newest', async () => {
    const writer = startSnapshotWriter(
      { eventLog, informer, log },
      { everyEvents: 100, everyMs: 0, keep: 2, checkMs: 20 },
    );
    cleanup.push(() => writer.stop());
    const oracle = createView();
    const events = [...churnEvents(450, 7)];
    for (let i = 0; i < events.length; i += 50) {
      await publishChurn(eventLog, events.slice(i, i + 50), oracle);
      expect(await informer.waitForSeq(oracle.seq)).toBe(true);
      // The writer takes its snapshot before the next batch, as it would between bursts.
      await eventually(() => oracle.seq - writer.lastSeq() < 100, { what: `a snapshot within 100 of ${oracle.seq}` });
    }
    await eventually(() => writer.lastSeq() >= 400, { what: 'a snapshot at 400 or later' });
    const store = await openSnapshotStore(eventLog);
    const seqs = (await store?.list())?.map((s) => s.seq) ?? [];
    expect(seqs).toHaveLength(2);
    expect(seqs[0]).toBe(writer.lastSeq());
    expect((seqs[0] ?? 0) - (seqs[1] ?? 0)).toBeGreaterThanOrEqual(100);
    // Fewer than N events since: no new snapshot.
    expect(oracle.seq - writer.lastSeq()).toBeLessThan(100);

    const fresh = await startInformer(eventLog, { log });
    cleanup.push(() => fresh.stop());
    await fresh.synced;
    expect(fresh.startedFrom?.seq).toBe(writer.lastSeq());
    expect([...fresh.view.objects.entries()].sort()).toEqual([...oracle.objects.entries()].sort());
    expect([...fresh.view.lastSeq.entries()].sort()).toEqual([...oracle.lastSeq.entries()].sort());
  });

  it('writes once the records since the last snapshot add up to the byte bound, however few they are', async () => {
    const writer = startSnapshotWriter(
      { eventLog, informer, log },
      { everyEvents: 100_000, everyBytes: 64 * 1024, everyMs: 0, keep: 2, checkMs: 20 },
    );
    cleanup.push(() => writer.stop());
    const oracle = createView();
    const events = [...churnEvents(60, 3)];
    await publishChurn(eventLog, events.slice(0, 10), oracle);
    expect(await informer.waitForSeq(oracle.seq)).toBe(true);
    // Ten small records are far from 64 KiB: no snapshot.
    await consistently(() => writer.lastSeq() === 0, { forMs: 300, what: 'no snapshot yet' });
    // Records of ~20 KiB each: a few of them pass the bound.
    const big = events.slice(10, 20).map((e) => {
      const object = { ...e.object, metadata: { ...e.object.metadata, annotations: { pad: 'x'.repeat(20_000) } } };
      return { ...e, object };
    });
    await publishChurn(eventLog, big, oracle);
    expect(await informer.waitForSeq(oracle.seq)).toBe(true);
    await eventually(() => writer.lastSeq() > 10, { what: 'a snapshot after the big records' });
    expect(oracle.seq - writer.lastSeq()).toBeLessThan(10);
  });

  it('writes on the interval when fewer than N events came, and not when none came', async () => {
    let clock = 0;
    const writer = startSnapshotWriter(
      { eventLog, informer, log, now: () => clock },
      { everyEvents: 1_000, everyMs: 60_000, keep: 3, checkMs: 20 },
    );
    cleanup.push(() => writer.stop());
    const oracle = createView();
    await publishChurn(eventLog, churnEvents(30, 3), oracle);
    expect(await informer.waitForSeq(30)).toBe(true);
    await consistently(() => writer.lastSeq() === 0, { forMs: 200, what: 'no snapshot before the interval' });
    clock += 60_000;
    await eventually(() => writer.lastSeq() === 30, { what: 'the interval snapshot' });
    clock += 120_000;
    const store = await openSnapshotStore(eventLog);
    await consistently(async () => expect((await store?.list())?.map((s) => s.seq)).toEqual([30]), {
      forMs: 200,
      what: 'no snapshot without new events',
    });
    // A snapshot at the log's last event: a fresh informer is synced with no tail to read.
    const fresh = await startInformer(eventLog, { log });
    cleanup.push(() => fresh.stop());
    await fresh.synced;
    expect(fresh.startedFrom?.seq).toBe(30);
    expect([...fresh.view.objects.entries()].sort()).toEqual([...oracle.objects.entries()].sort());
  });
});
