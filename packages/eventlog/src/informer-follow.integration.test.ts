/**
 * An informer that follows part of the log, against a real nats-server: the server
 * delivers only the followed events (one consumer with several filter subjects), a start
 * from a snapshot plus the filtered consumer gives the view a replay would, and a waiter
 * for a sequence the informer does not follow is still released.
 */
import { keyString } from '@kemu/api';
import { createLogger } from '@kemu/log';
import { startNatsServer } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EventLog, connectEventLog } from './event-log.js';
import { type Informer, startInformer } from './informer.js';
import { createObjectWriter } from './object-writer.js';
import { type SnapshotStore, openSnapshotStore } from './snapshot.js';
import { STREAM } from './subjects.js';

const log = createLogger({ component: 'test', level: 'silent' });
const OWN_POD = { resource: 'pods', namespace: 'kube-system', name: 'kube-proxy-n1' };
const FOLLOW = { resources: ['services', 'endpointslices'], objects: [OWN_POD] };

const obj = (kind: string, namespace: string, name: string, n: number) => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, namespace, uid: `uid-${kind}-${name}` },
  data: { n: String(n) },
});

describe('an informer following part of the log', () => {
  let server: Awaited<ReturnType<typeof startNatsServer>>;
  let eventLog: EventLog;
  let all: Informer;
  const informers: Informer[] = [];
  beforeEach(async () => {
    server = await startNatsServer();
    eventLog = await connectEventLog({ servers: server.url, name: 'test', log });
    all = await startInformer(eventLog, { log });
    informers.push(all);
    await all.synced;
  });
  afterEach(async () => {
    for (const i of informers.splice(0)) await i.stop();
    await eventLog.close();
    await server.stop();
  });

  /** Writes `rounds` of a mixed log: pods, leases, configmaps, a Service, a slice, the own pod. */
  async function writeMixed(rounds: number, from = 0): Promise<void> {
    const api = createObjectWriter(eventLog, all, { component: 'test' });
    for (let i = from; i < from + rounds; i++) {
      await api.put({ resource: 'pods', namespace: 'default', name: `p${i}` }, obj('Pod', 'default', `p${i}`, i));
      await api.put(
        { resource: 'leases', namespace: 'kube-node-lease', name: 'n1' },
        obj('Lease', 'kube-node-lease', 'n1', i),
      );
      await api.put(
        { resource: 'configmaps', namespace: 'default', name: `c${i}` },
        obj('ConfigMap', 'default', `c${i}`, i),
      );
      await api.put(
        { resource: 'services', namespace: 'default', name: `s${i}` },
        obj('Service', 'default', `s${i}`, i),
      );
      await api.put(
        { resource: 'endpointslices', namespace: 'default', name: `s${i}-x` },
        obj('EndpointSlice', 'default', `s${i}-x`, i),
      );
      await api.put(OWN_POD, obj('Pod', 'kube-system', OWN_POD.name, i));
    }
  }

  /** What the whole-log view holds of the followed part, as `key=resourceVersion`. */
  function followedOfAll(): string[] {
    return [...all.view.objects.entries()]
      .filter(([k]) => k.startsWith('services/') || k.startsWith('endpointslices/') || k === keyString(OWN_POD))
      .map(([k, o]) => `${k}=${o.metadata.resourceVersion}`)
      .sort();
  }
  const contents = (i: Informer) =>
    [...i.view.objects.entries()].map(([k, o]) => `${k}=${o.metadata.resourceVersion}`).sort();

  async function start(useSnapshots = true): Promise<Informer> {
    const i = await startInformer(eventLog, { log, useSnapshots, ...FOLLOW });
    informers.push(i);
    await i.synced;
    return i;
  }

  it('is delivered only the followed events, by one consumer with several filter subjects', async () => {
    await writeMixed(10);
    const filtered = await start(false);
    expect(contents(filtered)).toEqual(followedOfAll());
    const consumers = [];
    for await (const c of eventLog.jsm.consumers.list(STREAM)) consumers.push(c);
    const mine = consumers.find((c) => c.config.filter_subjects?.length === 3);
    expect(mine?.config.filter_subjects?.sort()).toEqual([
      'kemu.obj.endpointslices.>',
      'kemu.obj.pods.kube-system.kube-proxy-n1',
      'kemu.obj.services.>',
    ]);
    // 60 events in the log; 30 followed (10 Services, 10 slices, 10 own-pod writes).
    expect(mine?.delivered.consumer_seq).toBe(30);
    expect(filtered.follows({ resource: 'pods', namespace: 'default', name: 'p1' })).toBe(false);
    expect(filtered.follows(OWN_POD)).toBe(true);
  }, 30_000);

  it('starts from a snapshot and goes on with the filtered consumer as a replay would', async () => {
    await writeMixed(5);
    const store = (await openSnapshotStore(eventLog, { create: true })) as SnapshotStore;
    const snap = await store.write(all.view);
    await writeMixed(5, 5);
    const filtered = await start(true);
    expect(filtered.startedFrom?.seq).toBe(snap.seq);
    expect(contents(filtered)).toEqual(followedOfAll());
    // Live events after the start arrive too.
    await writeMixed(1, 10);
    expect(await filtered.waitForSeq(all.view.seq, 5_000)).toBe(true);
    expect(contents(filtered)).toEqual(followedOfAll());
    expect([...filtered.view.lastSeq.keys()].every((k) => filtered.view.objects.has(k))).toBe(true);
  }, 30_000);

  it('releases a waiter for a sequence it does not follow, and not one for a sequence not written yet', async () => {
    await writeMixed(2);
    const filtered = await start(false);
    const other = createObjectWriter(eventLog, all, { component: 'test' });
    const stored = await other.put(
      { resource: 'leases', namespace: 'kube-node-lease', name: 'n2' },
      obj('Lease', 'kube-node-lease', 'n2', 0),
    );
    const seq = Number(stored.metadata.resourceVersion);
    const t0 = Date.now();
    expect(await filtered.waitForSeq(seq, 5_000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(filtered.view.seq).toBeGreaterThanOrEqual(seq);
    expect(await filtered.waitForSeq(seq + 1, 1_000)).toBe(false);

    // A writer on the filtered informer: its unfollowed writes do not wait, its followed ones are read back.
    const writer = createObjectWriter(eventLog, filtered, { component: 'kube-proxy' });
    const t1 = Date.now();
    await writer.put({ resource: 'events', namespace: 'default', name: 'e1' }, obj('Event', 'default', 'e1', 0));
    expect(Date.now() - t1).toBeLessThan(250);
    const svc = await writer.put(
      { resource: 'services', namespace: 'default', name: 'late' },
      obj('Service', 'default', 'late', 0),
    );
    expect(filtered.view.objects.get('services/default/late')?.metadata.resourceVersion).toBe(
      svc.metadata.resourceVersion,
    );
  }, 30_000);

  it('reads a followed write from the stream leader within a second when its consumer is gone', async () => {
    await writeMixed(1);
    const filtered = await start(false);
    for await (const c of eventLog.jsm.consumers.list(STREAM))
      if (c.config.filter_subjects?.length === 3) await eventLog.jsm.consumers.delete(STREAM, c.name);
    const writer = createObjectWriter(eventLog, filtered, { component: 'kube-proxy' });
    const t0 = Date.now();
    const svc = await writer.put(
      { resource: 'services', namespace: 'default', name: 'gone' },
      obj('Service', 'default', 'gone', 0),
    );
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(filtered.view.objects.get('services/default/gone')?.metadata.resourceVersion).toBe(
      svc.metadata.resourceVersion,
    );
    await writeMixed(1, 1);
    expect(await filtered.waitForSeq(all.view.seq, 10_000)).toBe(true);
    expect(contents(filtered)).toEqual(followedOfAll());
  }, 30_000);
});
