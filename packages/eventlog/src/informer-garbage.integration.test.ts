/**
 * Garbage on the event stream (real nats-server): ≥ 10 000 records that are not kemu
 * events — random bytes, truncated events, msgpack of the wrong shape, another schema
 * version, malformed keys, a key that is not its subject's, deep nesting — published
 * with an admin connection among real writes. Every informer (one following all
 * resources, one following only configmaps, one started after the garbage, replaying it)
 * skips each record once, counts and logs it, and still applies every real write in order.
 * Seeded: KEMU_FUZZ_SEED replays a run.
 */
import type { Logger } from '@kemu/log';
import { type NatsServer, eventually, fuzzSeed, type SeededRandom, seededRandom, startNatsServer } from '@kemu/testkit';
import { Packr } from 'msgpackr/pack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, encodeEvent } from './envelope.js';
import { type EventLog, connectEventLog } from './event-log.js';
import { type Informer, startInformer } from './informer.js';
import { createObjectWriter } from './object-writer.js';
import { listObjects } from './projection.js';
import { subjectFor } from './subjects.js';

const GARBAGE = 10_000;
const REAL_WRITES = 50;
const packr = new Packr({ useRecords: false, moreTypes: false });

/** A logger that counts the records an informer reports as skipped, and keeps its warnings (printed with the result). */
function countingLog(): { log: Logger; skippedLines: () => number; warnings: string[] } {
  let lines = 0;
  const warnings: string[] = [];
  const log = {
    level: 'error',
    child: () => log,
    error: (_obj: unknown, msg?: string) => {
      if (msg === 'skipping undecodable event') lines += 1;
    },
    warn: (_obj: unknown, msg?: string) => {
      warnings.push(msg ?? '');
    },
    info: () => undefined,
    debug: () => undefined,
    trace: () => undefined,
    fatal: () => undefined,
  } as unknown as Logger;
  return { log, skippedLines: () => lines, warnings };
}

const cm = (name: string, n: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  data: { n: String(n) },
});

function event(name: string, over: Record<string, unknown> = {}) {
  return {
    v: SCHEMA_VERSION,
    type: 'Put' as const,
    key: { resource: 'configmaps', namespace: 'default', name },
    uid: `uid-${name}`,
    time: new Date(0).toISOString(),
    actor: { component: 'fuzz' },
    object: cm(name, 0),
    ...over,
  };
}

/** One record that is not a kemu event, and the subject it goes on. */
function garbage(rng: SeededRandom, i: number): { subject: string; data: Uint8Array; kind: string } {
  const name = `g${i}`;
  const subject = rng.pick([
    subjectFor({ resource: 'configmaps', namespace: 'default', name }),
    subjectFor({ resource: 'pods', namespace: 'default', name }),
    subjectFor({ resource: 'nodes', namespace: '', name }),
  ]);
  const valid = encodeEvent(event(name) as never);
  switch (rng.int(10)) {
    case 0:
      return { subject, data: rng.bytes(rng.int(200)), kind: 'random bytes' };
    case 1:
      return { subject, data: valid.slice(0, rng.int(valid.length - 1)), kind: 'truncated event' };
    case 2:
      return { subject, data: new Uint8Array(0), kind: 'empty' };
    case 3:
      return {
        subject,
        data: packr.pack(rng.pick([null, 42, 'text', [1, 2, 3], true, { v: 1 }])),
        kind: 'msgpack of another shape',
      };
    case 4:
      return { subject, data: packr.pack(event(name, { v: rng.pick([0, 2, '1', null]) })), kind: 'schema version' };
    case 5:
      return { subject, data: packr.pack(event(name, { type: rng.pick(['Patch', '', null, 7]) })), kind: 'event type' };
    case 6:
      return {
        subject,
        data: packr.pack(
          event(name, {
            key: rng.pick([null, 'configmaps/default/x', { resource: 1, namespace: 'default', name }, { name: '' }]),
          }),
        ),
        kind: 'malformed key',
      };
    case 7: {
      // Another object's key on this subject: it would overwrite "victim".
      const data = packr.pack(event('victim'));
      return { subject: subjectFor({ resource: 'configmaps', namespace: 'default', name }), data, kind: 'foreign key' };
    }
    case 8: {
      const object = rng.pick([null, 'pod', { metadata: null }, { metadata: [] }, { metadata: { name: 'other' } }]);
      return { subject, data: packr.pack(event(name, { object })), kind: 'malformed object' };
    }
    default: {
      const depth = 1_000 + rng.int(50_000);
      const deep = new Uint8Array(depth + 1).fill(0x91); // fixarray(1) nested `depth` deep
      deep[depth] = 0xc0;
      return { subject, data: rng.next() < 0.5 ? deep : deep.slice(0, depth), kind: 'deep nesting' };
    }
  }
}

describe('informers given garbage on the event stream', () => {
  let nats: NatsServer;
  let admin: EventLog;
  const seed = fuzzSeed();
  const informers: {
    name: string;
    informer: Informer;
    skippedLines: () => number;
    warnings: string[];
    eventLog: EventLog;
  }[] = [];

  async function informerOn(name: string, resources?: string[]) {
    const eventLog = await connectEventLog({ servers: nats.url, name, log: countingLog().log });
    const counted = countingLog();
    const informer = await startInformer(eventLog, { log: counted.log, resources, useSnapshots: false });
    await informer.synced;
    const entry = { name, informer, skippedLines: counted.skippedLines, warnings: counted.warnings, eventLog };
    informers.push(entry);
    return entry;
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    admin = await connectEventLog({ servers: nats.url, name: 'admin', log: countingLog().log });
  });

  afterAll(async () => {
    for (const { informer, eventLog } of informers.reverse()) {
      await informer.stop();
      await eventLog.close();
    }
    await admin?.close();
    await nats?.stop();
  });

  it('skips, counts and logs each garbage record and applies every real write', async () => {
    const rng = seededRandom(seed);
    const all = await informerOn('all');
    const configmaps = await informerOn('configmaps', ['configmaps']);
    const added: string[] = [];
    all.informer.on('configmaps', { onAdd: (o) => added.push(o.metadata.name) });
    const writer = createObjectWriter(admin, all.informer, { component: 'test' });
    await writer.put({ resource: 'configmaps', namespace: 'default', name: 'victim' }, cm('victim', 1));

    const started = Date.now();
    const kinds = new Map<string, number>();
    const first = (await admin.lastSequence()) + 1;
    const perWrite = GARBAGE / REAL_WRITES;
    let onConfigmapSubjects = 0;
    for (let w = 0; w < REAL_WRITES; w++) {
      const batch = Array.from({ length: perWrite }, (_, j) => garbage(rng, w * perWrite + j));
      for (const g of batch) {
        kinds.set(g.kind, (kinds.get(g.kind) ?? 0) + 1);
        if (g.subject.startsWith('kemu.obj.configmaps.')) onConfigmapSubjects += 1;
      }
      await Promise.all(batch.map((g) => admin.js.publish(g.subject, g.data)));
      await writer.put({ resource: 'configmaps', namespace: 'default', name: `real-${w}` }, cm(`real-${w}`, w));
    }
    const last = await admin.lastSequence();
    const publishMs = Date.now() - started;
    expect(last - first + 1).toBe(GARBAGE + REAL_WRITES);

    const late = await informerOn('late');
    for (const { name, informer, skippedLines, warnings } of [all, configmaps, late]) {
      await eventually(() => informer.view.seq >= last, { timeoutMs: 20_000, what: `${name} to reach ${last}` });
      // The configmaps informer sees only the garbage on configmap subjects (its warnings tell a consumer replaced).
      expect(informer.skippedEvents(), `${name}, warnings ${JSON.stringify(warnings)}`).toBe(
        name === 'configmaps' ? onConfigmapSubjects : GARBAGE,
      );
      expect(skippedLines(), name).toBe(informer.skippedEvents());
      const names = listObjects(informer.view, 'configmaps').map((o) => o.metadata.name);
      expect(names.sort(), name).toEqual(
        ['victim', ...Array.from({ length: REAL_WRITES }, (_, w) => `real-${w}`)].sort(),
      );
      const victim = listObjects(informer.view, 'configmaps').find((o) => o.metadata.name === 'victim');
      expect((victim as unknown as ReturnType<typeof cm>).data.n, name).toBe('1');
    }
    expect(added).toEqual(['victim', ...Array.from({ length: REAL_WRITES }, (_, w) => `real-${w}`)]);

    // Still live after the garbage: a new write reaches every informer at once.
    const stored = await writer.put({ resource: 'configmaps', namespace: 'default', name: 'after' }, cm('after', 0));
    for (const { name, informer } of [all, configmaps, late])
      expect(await informer.waitForSeq(Number(stored.metadata.resourceVersion), 5_000), name).toBe(true);

    console.log(
      `informer garbage campaign: seed ${seed}, ${GARBAGE} garbage records among ${REAL_WRITES} writes published in ${publishMs} ms; ` +
        `skipped: all ${all.informer.skippedEvents()}, configmaps ${configmaps.informer.skippedEvents()}, late ${late.informer.skippedEvents()}; ` +
        `kinds ${JSON.stringify(Object.fromEntries(kinds))}`,
    );
  }, 60_000);
});
