import type { KubeObject } from '@kemu/api';
import { createLogger } from '@kemu/log';
import { type NatsServer, eventually, nextMillisecond, startNatsServer } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EventLog, connectEventLog } from './event-log.js';
import { type HistoryEntry, projectionAt, readHistory } from './event-history.js';
import { type Informer, startInformer } from './informer.js';
import { type ObjectWriter, createObjectWriter } from './object-writer.js';
import { getObject } from './projection.js';

const log = createLogger({ component: 'test', level: 'silent' });
const podKey = (name: string) => ({ resource: 'pods', namespace: 'default', name });
const epKey = { resource: 'endpoints', namespace: 'default', name: 'web' };

function pod(name: string, phase: string, app = 'web'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app } },
    status: { phase },
  } as KubeObject;
}

function endpoints(ips: string[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-ep' },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 8080 }] }],
  } as KubeObject;
}

async function collect(it: AsyncIterable<HistoryEntry>): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('event history', () => {
  let server: NatsServer;
  let eventLog: EventLog;
  let informer: Informer;
  let writer: ObjectWriter;
  beforeEach(async () => {
    server = await startNatsServer();
    eventLog = await connectEventLog({ servers: server.url, name: 'test', log });
    informer = await startInformer(eventLog, { log });
    await informer.synced;
    writer = createObjectWriter(eventLog, informer, { component: 'test', node: 'node-1' });
  });
  afterEach(async () => {
    await informer.stop();
    await eventLog.close();
    await server.stop();
  });

  async function writeScenario(): Promise<{ beforeFault: Date }> {
    await writer.put(podKey('web-1'), pod('web-1', 'Pending')); // 1
    await writer.put(podKey('web-1'), pod('web-1', 'Running')); // 2
    await writer.put(podKey('db-1'), pod('db-1', 'Running', 'db')); // 3
    await writer.put(epKey, endpoints(['10.244.1.7', '10.244.2.4'])); // 4
    // Event times have millisecond precision: beforeFault lies strictly between events 4 and 5.
    const beforeFault = await nextMillisecond();
    await nextMillisecond();
    await writer.remove(podKey('web-1'), pod('web-1', 'Running')); // 5
    await writer.put(epKey, endpoints(['10.244.2.4'])); // 6
    return { beforeFault };
  }

  it('yields every change in order with its actor and the object before and after, and ends at the end of the log', async () => {
    await writeScenario();
    const entries = await collect(readHistory(eventLog));
    expect(entries.map((e) => [e.seq, e.type, e.key.name])).toEqual([
      [1, 'ADDED', 'web-1'],
      [2, 'MODIFIED', 'web-1'],
      [3, 'ADDED', 'db-1'],
      [4, 'ADDED', 'web'],
      [5, 'DELETED', 'web-1'],
      [6, 'MODIFIED', 'web'],
    ]);
    const phase = (o: KubeObject | undefined) => (o as { status?: { phase?: string } } | undefined)?.status?.phase;
    expect([phase(entries[1]?.old), phase(entries[1]?.object)]).toEqual(['Pending', 'Running']);
    expect(entries[0]?.old).toBeUndefined();
    expect(entries[5]?.old).toEqual(
      expect.objectContaining({ subsets: endpoints(['10.244.1.7', '10.244.2.4']).subsets }),
    );
    expect(entries[5]?.object).toEqual(expect.objectContaining({ subsets: endpoints(['10.244.2.4']).subsets }));
    expect(entries[1]?.actor).toEqual({ component: 'test', node: 'node-1' });
    expect(entries[4]?.uid).toBe('uid-web-1');
  });

  it('narrows by sequence, time, resource, namespace and labels', async () => {
    const { beforeFault } = await writeScenario();
    const seqs = async (o: Parameters<typeof readHistory>[1]) =>
      (await collect(readHistory(eventLog, o))).map((e) => e.seq);
    expect(await seqs({ fromSeq: 2, untilSeq: 4 })).toEqual([2, 3, 4]);
    expect(await seqs({ since: beforeFault })).toEqual([5, 6]);
    expect(await seqs({ until: beforeFault })).toEqual([1, 2, 3, 4]);
    expect(await seqs({ filter: { resources: ['endpoints'] } })).toEqual([4, 6]);
    expect(await seqs({ filter: { labelSelector: 'app=web' } })).toEqual([1, 2, 5]);
    expect(await seqs({ filter: { namespace: 'kube-system' } })).toEqual([]);
  });

  it('follows live events after the end of the log until aborted', async () => {
    await writer.put(podKey('web-1'), pod('web-1', 'Pending'));
    const abort = new AbortController();
    const seen: HistoryEntry[] = [];
    const reading = (async () => {
      for await (const e of readHistory(eventLog, { follow: true, signal: abort.signal })) {
        seen.push(e);
        if (seen.length === 2) abort.abort();
      }
    })();
    await eventually(() => seen.length === 1, { what: 'the logged event' });
    await writer.put(podKey('web-1'), pod('web-1', 'Running'));
    await reading;
    expect(seen.map((e) => [e.type, (e.object as { status?: { phase?: string } }).status?.phase])).toEqual([
      ['ADDED', 'Pending'],
      ['MODIFIED', 'Running'],
    ]);
  });

  it('stops following at the until time even when no event comes after it', async () => {
    await writer.put(podKey('web-1'), pod('web-1', 'Pending'));
    const started = Date.now();
    const entries = await collect(readHistory(eventLog, { follow: true, until: new Date(started + 300) }));
    expect(entries.map((e) => e.seq)).toEqual([1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('builds the projection at a sequence or a time', async () => {
    const { beforeFault } = await writeScenario();
    const atSeq = await projectionAt(eventLog, 4);
    expect(atSeq.seq).toBe(4);
    expect(getObject(atSeq.view, podKey('web-1'))?.metadata.resourceVersion).toBe('2');
    const atTime = await projectionAt(eventLog, beforeFault);
    expect(atTime.seq).toBe(4);
    expect(atTime.time?.getTime()).toBeLessThanOrEqual(beforeFault.getTime());
    const now = await projectionAt(eventLog, new Date());
    expect(now.seq).toBe(6);
    expect(getObject(now.view, podKey('web-1'))).toBeUndefined();
    expect((await projectionAt(eventLog, new Date(0))).seq).toBe(0);
  });

  it('reads an empty log as nothing', async () => {
    expect(await collect(readHistory(eventLog))).toEqual([]);
    expect((await projectionAt(eventLog, 10)).seq).toBe(0);
  });
});
