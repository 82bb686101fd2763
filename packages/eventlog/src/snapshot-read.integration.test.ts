/**
 * Reading a snapshot body against a real nats-server: a body of many Object Store chunks
 * reads back whole into one buffer, its digest is checked with node:crypto, and a body
 * whose chunks do not match the stored digest is refused (and skipped at start-up).
 */
import { createLogger } from '@kemu/log';
import { type NatsServer, pod, startNatsServer } from '@kemu/testkit';
import { Objm, getSha256Backend } from '@nats-io/obj';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, connectEventLog } from './event-log.js';
import { createView } from './projection.js';
import {
  SNAPSHOT_BUCKET,
  type SnapshotStore,
  encodeSnapshot,
  loadNewestSnapshot,
  openSnapshotStore,
} from './snapshot.js';
import { STREAM, subjectFor } from './subjects.js';

const log = createLogger({ component: 'test', level: 'silent' });

/** A view of `n` pods, each with a large annotation, so its body spans many 128 KiB chunks. */
function bigView(n: number, seq: number) {
  const view = createView();
  view.seq = seq;
  for (let i = 0; i < n; i++) {
    const p = pod(`p-${i}`);
    p.metadata.annotations = { filler: `${i}-`.padEnd(1000, 'x') };
    view.objects.set(`pods/default/p-${i}`, p);
    view.lastSeq.set(`pods/default/p-${i}`, i + 1);
  }
  return view;
}

describe('snapshot bodies', () => {
  let server: NatsServer;
  let eventLog: EventLog;
  let store: SnapshotStore;

  beforeAll(async () => {
    server = await startNatsServer();
    eventLog = await connectEventLog({ servers: server.url, name: 'test', log });
    store = (await openSnapshotStore(eventLog, { create: true })) as SnapshotStore;
  });

  afterAll(async () => {
    await eventLog?.close();
    await server?.stop();
  });

  it('a body of many chunks reads back whole, its digest checked by node:crypto', async () => {
    const view = bigView(2_000, 0);
    const body = encodeSnapshot(view);
    expect(body.length).toBeGreaterThan(10 * 128 * 1024);
    const written = await store.write(view);
    expect(written.size).toBe(body.length);
    const read = await store.read(written);
    expect(getSha256Backend()).toBe('native');
    expect(read.view.objects.size).toBe(2_000);
    expect(encodeSnapshot(read.view)).toEqual(body);
  });

  it('a body whose chunks do not match its digest is refused, and start-up skips it', async () => {
    const good = (await store.list())[0];
    if (!good) throw new Error('no snapshot from the first test');
    const name = 'view-000000000000007';
    const os = await new Objm(eventLog.js).open(SNAPSHOT_BUCKET);
    // The log must reach the snapshot's sequence for it to be a base at all.
    for (let i = 0; i < 7; i++)
      await eventLog.js.publish(
        subjectFor({ resource: 'pods', namespace: 'default', name: 'filler' }),
        new Uint8Array(1),
      );
    const stream = (await eventLog.jsm.streams.info(STREAM)).created;
    await os.putBlob({ name, metadata: { seq: '7', stream } }, encodeSnapshot(bigView(300, 7)));
    const info = await os.info(name);
    if (!info) throw new Error('no object info');
    // One more chunk on the object's chunk subject: the body grows past its size and its digest.
    await eventLog.js.publish(`$O.${SNAPSHOT_BUCKET}.C.${info.nuid}`, new Uint8Array(4096).fill(1));
    const tampered = (await store.list()).find((i) => i.name === name);
    if (!tampered) throw new Error('tampered snapshot not listed');
    await expect(store.read(tampered)).rejects.toThrow(/digest/);
    const loaded = await loadNewestSnapshot(eventLog, { log });
    expect(loaded?.name).toBe(good.name);
  });
});
