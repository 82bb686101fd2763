/**
 * R18 (projection rebuild from snapshot + log) and R15 (replays change nothing) against a
 * real nats-server: a 10^4-event churn log, snapshots mid-way, corrupt snapshots, a
 * purged log.
 */
import { createHash } from 'node:crypto';
import { createLogger } from '@kemu/log';
import { type NatsServer, churnEvents, publishChurn, startNatsServer } from '@kemu/testkit';
import { DeliverPolicy } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent } from './envelope.js';
import { projectionAt } from './event-history.js';
import { type EventLog, connectEventLog } from './event-log.js';
import { type Informer, startInformer } from './informer.js';
import { type View, applyEvent, createView } from './projection.js';
import {
  SNAPSHOT_BUCKET,
  SnapshotGapError,
  type SnapshotStore,
  decodeSnapshot,
  encodeSnapshot,
  openSnapshotStore,
  snapshotName,
} from './snapshot.js';
import { STREAM, SUBJECT_PREFIX } from './subjects.js';

const log = createLogger({ component: 'test', level: 'silent' });
const TOTAL = 10_000;
const MID = 5_000;
/** A second snapshot near the end, as the writer's every-N-events makes it, for the timing. */
const LATE = 9_500;

/** A stable digest of everything a view holds. */
function digest(view: View): string {
  const h = createHash('sha256');
  h.update(`seq=${view.seq}\n`);
  for (const k of [...view.objects.keys()].sort()) h.update(`${k}=${JSON.stringify(view.objects.get(k))}\n`);
  for (const k of [...view.lastSeq.keys()].sort()) h.update(`${k}@${view.lastSeq.get(k)}\n`);
  return h.digest('hex');
}

function copy(view: View): View {
  return decodeSnapshot(encodeSnapshot(view));
}

async function timedStart(eventLog: EventLog, useSnapshots: boolean): Promise<{ informer: Informer; ms: number }> {
  const t0 = performance.now();
  const informer = await startInformer(eventLog, { log, useSnapshots });
  await informer.synced;
  return { informer, ms: performance.now() - t0 };
}

describe('event-log snapshots over a 10^4-event log', () => {
  let server: NatsServer;
  let eventLog: EventLog;
  let live: Informer;
  let store: SnapshotStore;
  const oracle = createView();
  const at = new Map<number, View>();
  const informers: Informer[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    eventLog = await connectEventLog({ servers: server.url, name: 'test', log });
    live = await startInformer(eventLog, { log });
    await live.synced;
    expect(live.startedFrom).toBeUndefined();
    store = (await openSnapshotStore(eventLog, { create: true })) as SnapshotStore;
    const keep = new Set([3_000, MID, 8_000, LATE]);
    const events = [...churnEvents(TOTAL)];
    await publishChurn(eventLog, events.slice(0, MID), oracle, { at: (s) => keep.has(s) && at.set(s, copy(oracle)) });
    expect(await live.waitForSeq(MID, 10_000)).toBe(true);
    // The live informer's view, encoded in one synchronous step, is the snapshot.
    const written = await store.write(live.view);
    expect(written.seq).toBe(MID);
    expect(written.time).toBeInstanceOf(Date);
    await publishChurn(eventLog, events.slice(MID), oracle, { at: (s) => keep.has(s) && at.set(s, copy(oracle)) });
    expect(await live.waitForSeq(TOTAL, 10_000)).toBe(true);
  }, 60_000);

  afterAll(async () => {
    for (const i of informers) await i.stop();
    await live?.stop();
    await eventLog?.close();
    await server?.stop();
  });

  it('R18: an informer from snapshot + tail equals a full replay and the live informer, and starts faster', async () => {
    // The churn really churns: deletes of pods and services, and many live objects.
    expect(oracle.seq).toBe(TOTAL);
    expect(oracle.lastSeq.size).toBeGreaterThan(oracle.objects.size);
    expect(oracle.objects.size).toBeGreaterThan(50);

    const times: Record<'full' | 'mid' | 'late', number[]> = { full: [], mid: [], late: [] };
    const check = (i: Informer, ms: number, kind: 'full' | 'mid' | 'late', from: number | undefined) => {
      informers.push(i);
      expect(i.startedFrom?.seq).toBe(from);
      expect(digest(i.view)).toBe(digest(oracle));
      times[kind].push(ms);
    };
    for (let round = 0; round < 3; round++) {
      const f = await timedStart(eventLog, false);
      check(f.informer, f.ms, 'full', undefined);
      const m = await timedStart(eventLog, true);
      check(m.informer, m.ms, 'mid', MID);
    }
    const late = await store.write(at.get(LATE) as View);
    for (let round = 0; round < 3; round++) {
      const l = await timedStart(eventLog, true);
      check(l.informer, l.ms, 'late', LATE);
    }
    await store.remove(late.name);
    expect(digest(live.view)).toBe(digest(oracle));
    const last = informers.at(-1) as Informer;
    expect([...last.view.objects.entries()].sort()).toEqual([...oracle.objects.entries()].sort());
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] as number;
    const fmt = (k: keyof typeof times) => `${median(times[k]).toFixed(0)} ms (${times[k].map((x) => x.toFixed(0))})`;
    process.stderr.write(
      `[R18] start-up to synced over ${TOTAL} events, medians of 3: full replay ${fmt('full')}, ` +
        `snapshot@${MID} + ${TOTAL - MID} tail ${fmt('mid')}, snapshot@${LATE} + ${TOTAL - LATE} tail ${fmt('late')}\n`,
    );
    expect(median(times.late)).toBeLessThan(median(times.full));
    expect(median(times.full)).toBeLessThan(5_000);
  }, 60_000);

  it('R18: an informer of some resources from a snapshot holds only those, as replay does', async () => {
    const resources = ['endpoints', 'services'];
    const s = await startInformer(eventLog, { log, resources });
    const f = await startInformer(eventLog, { log, resources, useSnapshots: false });
    informers.push(s, f);
    await Promise.all([s.synced, f.synced]);
    expect(s.startedFrom?.seq).toBe(MID);
    expect([...s.view.objects.entries()].sort()).toEqual([...f.view.objects.entries()].sort());
    expect([...s.view.lastSeq.entries()].sort()).toEqual([...f.view.lastSeq.entries()].sort());
    expect([...s.view.objects.keys()].every((k) => k.startsWith('endpoints/') || k.startsWith('services/'))).toBe(true);
    expect(s.view.objects.size).toBeGreaterThan(0);
  });

  it('R15: replaying every event again into a synced view changes nothing', async () => {
    const s = await startInformer(eventLog, { log });
    informers.push(s);
    await s.synced;
    const before = digest(s.view);
    let changes = 0;
    s.onAnyChange(() => changes++);
    const consumer = await eventLog.js.consumers.get(STREAM, {
      filter_subjects: `${SUBJECT_PREFIX}.>`,
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume({ max_messages: 1000 });
    let replayed = 0;
    for await (const m of messages) {
      if (applyEvent(s.view, m.seq, decodeEvent(m.data))) changes++;
      replayed++;
      if (m.seq >= TOTAL) break;
    }
    await messages.close();
    expect(replayed).toBe(TOTAL);
    expect(changes).toBe(0);
    expect(digest(s.view)).toBe(before);
  });

  it('projectionAt below, at and above the snapshot sequence is the view at that sequence', async () => {
    for (const seq of [3_000, MID, 8_000, TOTAL]) {
      const p = await projectionAt(eventLog, seq, log);
      expect(p.seq).toBe(seq);
      expect(digest(p.view)).toBe(digest(seq === TOTAL ? oracle : (at.get(seq) as View)));
    }
    // By time: the stored time of event 8000 gives the view at 8000.
    const m = await eventLog.jsm.streams.getMessage(STREAM, { seq: 8_000 });
    const byTime = await projectionAt(eventLog, m?.time as Date, log);
    // Events published in one batch can share a millisecond: the view is the last one stored at that time.
    expect(byTime.seq).toBeGreaterThanOrEqual(8_000);
    const exact = await projectionAt(eventLog, byTime.seq, log);
    expect(digest(byTime.view)).toBe(digest(exact.view));
    expect(byTime.time?.getTime()).toBe(m?.time.getTime());
  });

  it('a corrupt snapshot is skipped for an older one, and with none readable the log is replayed', async () => {
    const os = await new Objm(eventLog.js).open(SNAPSHOT_BUCKET);
    const stream = (await eventLog.jsm.streams.info(STREAM)).created;
    await os.putBlob(
      { name: snapshotName(9_000), metadata: { seq: '9000', stream } },
      new TextEncoder().encode('not a snapshot'),
    );
    // A well-formed snapshot of an earlier stream of the same name is no base either.
    const wrong = copy(oracle);
    wrong.seq = 8_500;
    wrong.objects.clear();
    await os.putBlob(
      { name: snapshotName(8_500), metadata: { seq: '8500', stream: 'another stream' } },
      encodeSnapshot(wrong),
    );
    expect((await store.list()).map((i) => i.seq)).toEqual([9_000, 8_500, MID]);
    const older = await startInformer(eventLog, { log });
    informers.push(older);
    await older.synced;
    expect(older.startedFrom?.seq).toBe(MID);
    expect(digest(older.view)).toBe(digest(oracle));

    await store.remove(snapshotName(MID));
    await store.remove(snapshotName(8_500));
    const none = await startInformer(eventLog, { log });
    informers.push(none);
    await none.synced;
    expect(none.startedFrom).toBeUndefined();
    expect(digest(none.view)).toBe(digest(oracle));
    await store.remove(snapshotName(9_000));
    expect(await store.list()).toEqual([]);
  });

  it('writing keeps the newest few snapshots, and removes those of earlier streams', async () => {
    const os = await new Objm(eventLog.js).open(SNAPSHOT_BUCKET);
    await os.putBlob(
      { name: snapshotName(9_999), metadata: { seq: '9999', stream: 'another stream' } },
      encodeSnapshot(oracle),
    );
    const v = copy(oracle);
    for (const seq of [6_000, 7_000, 8_000, TOTAL]) {
      v.seq = seq;
      await store.write(v, { keep: 2 });
    }
    expect((await store.list()).map((i) => i.seq)).toEqual([TOTAL, 8_000]);
    for (const i of await store.list()) await store.remove(i.name);
    // Put back the true snapshot at MID for the purge test.
    await store.write(at.get(MID) as View);
  });

  it('a purged log starts from the snapshot that covers it, and fails loudly when none does', async () => {
    await eventLog.jsm.streams.purge(STREAM, { seq: MID + 1 }); // keeps MID+1..TOTAL
    const s = await startInformer(eventLog, { log });
    informers.push(s);
    await s.synced;
    expect(s.startedFrom?.seq).toBe(MID);
    expect(digest(s.view)).toBe(digest(oracle));
    expect(digest((await projectionAt(eventLog, 8_000, log)).view)).toBe(digest(at.get(8_000) as View));
    await expect(projectionAt(eventLog, 3_000, log)).rejects.toBeInstanceOf(SnapshotGapError);
    await expect(startInformer(eventLog, { log, useSnapshots: false })).rejects.toBeInstanceOf(SnapshotGapError);

    await eventLog.jsm.streams.purge(STREAM, { seq: MID + 2 }); // event MID+1 is gone: the snapshot no longer reaches
    await expect(startInformer(eventLog, { log })).rejects.toBeInstanceOf(SnapshotGapError);
  });
});
