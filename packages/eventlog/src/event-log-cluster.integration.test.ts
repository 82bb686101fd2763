/**
 * The event log on a real 3-server JetStream cluster with an R3 stream: writers keep
 * going through a kill -9 of the stream leader, every acknowledged write is in the
 * stream afterwards and no write is applied twice (ADR-22 retries with one Nats-Msg-Id).
 */
import type { KubeObject, ObjectKey } from '@kemu/api';
import { createLogger } from '@kemu/log';
import { startNatsCluster, type NatsCluster } from '@kemu/testkit';
import { DeliverPolicy } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent } from './envelope.js';
import { connectEventLog, type EventLog } from './event-log.js';
import { startInformer } from './informer.js';
import { createObjectWriter } from './object-writer.js';
import { STREAM } from './subjects.js';

const log = createLogger({ component: 'test', level: process.env.KEMU_TEST_LOG_LEVEL ?? 'silent' });
const OBJECTS = 20;
const WRITES_PER_OBJECT = 100;

function configMap(name: string, n: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    data: { n: String(n) },
  } as KubeObject;
}

interface Ack {
  name: string;
  n: number;
  seq: number;
  at: number;
}

describe('event log on a 3-server NATS cluster', () => {
  let cluster: NatsCluster;
  let eventLog: EventLog;

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    // One comma-separated string, as KEMU_NATS_URL lists a cluster's servers.
    eventLog = await connectEventLog({ servers: cluster.urls.join(','), name: 'test-writer', log, replicas: 3 });
  }, 60_000);

  afterAll(async () => {
    await eventLog?.close();
    await cluster?.stop();
  });

  it('loses no acknowledged CAS write and applies none twice when the stream leader is killed', async () => {
    const info = await eventLog.jsm.streams.info(STREAM);
    expect(info.config.num_replicas).toBe(3);
    const informer = await startInformer(eventLog, { log });
    await informer.synced;
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    const acks: Ack[] = [];
    let unknown = 0;
    let killed: { leader: string; at: number } | undefined;

    const streamInfo = async () => {
      for (let i = 0; ; i++) {
        try {
          return await eventLog.jsm.streams.info(STREAM);
        } catch (err) {
          if (i >= 10) throw err;
        }
      }
    };
    const deadline = Date.now() + 90_000;
    const killLeaderOnce = async () => {
      if (killed) return;
      killed = { leader: '', at: Date.now() };
      const leader = (await streamInfo()).cluster?.leader;
      if (!leader) throw new Error('stream has no leader');
      killed.leader = leader;
      await cluster.kill(leader);
      killed.at = Date.now();
    };

    async function worker(name: string): Promise<void> {
      const key: ObjectKey = { resource: 'configmaps', namespace: 'default', name };
      await writer.put(key, configMap(name, 1), 0);
      acks.push({
        name,
        n: 1,
        seq: Number(informer.view.objects.get(`configmaps/default/${name}`)?.metadata.resourceVersion),
        at: Date.now(),
      });
      for (;;) {
        const current = informer.view.objects.get(`configmaps/default/${name}`) as { data: { n: string } } | undefined;
        const n = Number(current?.data.n ?? 0);
        if (n >= WRITES_PER_OBJECT) return;
        if (Date.now() > deadline) {
          const last = (await streamInfo()).state.last_seq;
          throw new Error(
            `${name} stuck at n=${n}: view seq ${informer.view.seq}, stream last ${last}, acked ${acks.length}`,
          );
        }
        try {
          const stored = await writer.update(key, (c) => {
            const next = Number((c as unknown as { data: { n: string } }).data.n) + 1;
            return configMap(name, next);
          });
          if (stored) {
            const sn = Number((stored as unknown as { data: { n: string } }).data.n);
            acks.push({ name, n: sn, seq: Number(stored.metadata.resourceVersion), at: Date.now() });
          }
        } catch (err) {
          // An unacknowledged write is "unknown": re-read and go on, as a controller would.
          if ((err as { code?: string }).code !== 'AppendUnknown' && (err as { code?: string }).code !== 'Conflict')
            throw err;
          unknown++;
          await informer.waitForSeq(informer.view.seq + 1, 1_000);
        }
        if (!killed && acks.length >= (OBJECTS * WRITES_PER_OBJECT) / 2) await killLeaderOnce();
      }
    }

    const started = Date.now();
    await Promise.all(Array.from({ length: OBJECTS }, (_, i) => worker(`cm-${i}`)));
    const elapsedMs = Date.now() - started;
    expect(killed?.leader).toMatch(/^n\d$/);

    // Longest gap between two acknowledgements, and how writes went on after the kill.
    const times = acks.map((a) => a.at).sort((a, b) => a - b);
    let maxGapMs = 0;
    for (let i = 1; i < times.length; i++)
      maxGapMs = Math.max(maxGapMs, (times[i] as number) - (times[i - 1] as number));
    const afterKill = acks.filter((a) => a.at > (killed?.at ?? 0)).length;

    // Read the whole stream back through a fresh ordered consumer.
    const last = (await streamInfo()).state.last_seq;
    // Creating a consumer can time out while the dead member is still counted as a peer.
    let consumer: Awaited<ReturnType<typeof eventLog.js.consumers.get>> | undefined;
    for (let i = 0; !consumer; i++) {
      consumer = await eventLog.js.consumers
        .get(STREAM, { deliver_policy: DeliverPolicy.All })
        .catch((err: unknown) => {
          if (i >= 10) throw err;
          return undefined;
        });
    }
    const stored = new Map<number, { name: string; n: number }>();
    const messages = await consumer.consume();
    for await (const m of messages) {
      const e = decodeEvent(m.data);
      stored.set(m.seq, { name: e.key.name, n: Number((e.object as unknown as { data: { n: string } }).data.n) });
      if (m.seq >= last) break;
    }
    await messages.close();

    const lost = acks.filter((a) => {
      const s = stored.get(a.seq);
      return !s || s.name !== a.name || s.n !== a.n;
    });
    const perObject = new Map<string, number[]>();
    for (const [, s] of [...stored].sort((a, b) => a[0] - b[0]))
      perObject.set(s.name, [...(perObject.get(s.name) ?? []), s.n]);
    const duplicates = [...perObject.values()].reduce((sum, ns) => sum + ns.length - new Set(ns).size, 0);
    const report = {
      acked: acks.length,
      unknown,
      lost: lost.length,
      duplicates,
      maxGapMs,
      afterKill,
      elapsedMs,
      leaderKilled: killed?.leader,
    };
    console.log(`nats cluster failover: ${JSON.stringify(report)}`);

    expect(lost).toEqual([]);
    expect(duplicates).toBe(0);
    for (const [name, ns] of perObject)
      expect(ns, name).toEqual(Array.from({ length: WRITES_PER_OBJECT }, (_, i) => i + 1));
    expect(perObject.size).toBe(OBJECTS);
    expect(afterKill).toBeGreaterThan(0);
    expect(maxGapMs).toBeLessThan(15_000);
    await informer.stop();
  }, 180_000);
});
