/**
 * An informer replaying a log of large records (a 1000-endpoint Endpoints object rewritten
 * hundreds of times, as in a 1000-pod rollout) keeps its connection: its pulls are bounded
 * by bytes, so nats-server never holds more than its 64 MiB of pending data for it and
 * never cuts it as a slow consumer (which cost a restarting apiserver ~3 s).
 */
import type { KubeObject } from '@kemu/api';
import { createLogger } from '@kemu/log';
import { startNatsServer } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, encodeEvent } from './envelope.js';
import { type EventLog, connectEventLog } from './event-log.js';
import { startInformer } from './informer.js';
import { getObject } from './projection.js';
import { subjectFor } from './subjects.js';

const log = createLogger({ component: 'test', level: 'silent' });
const key = { resource: 'endpoints', namespace: 'default', name: 'big' };
/** Records of ~200 KiB: 400 of them are 80 MiB, more than the server holds pending for one connection. */
const RECORDS = 400;

function endpoints(n: number): KubeObject {
  const addresses = Array.from({ length: 1000 }, (_, i) => ({
    ip: `10.${n % 250}.${i >> 8}.${i & 255}`,
    nodeName: `hollow-${i % 12}`,
    targetRef: { kind: 'Pod', namespace: 'default', name: `growth-${n}-${i}-${'x'.repeat(120)}` },
  }));
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'big', namespace: 'default', uid: 'uid-big', annotations: { n: String(n) } },
    subsets: [{ addresses, ports: [{ port: 8080 }] }],
  } as KubeObject;
}

describe('an informer over large records', () => {
  let server: Awaited<ReturnType<typeof startNatsServer>>;
  let writer: EventLog;
  let reader: EventLog | undefined;
  beforeEach(async () => {
    server = await startNatsServer();
    writer = await connectEventLog({ servers: server.url, name: 'writer', log });
  });
  afterEach(async () => {
    await reader?.close();
    await writer.close();
    await server.stop();
  });

  it('replays 80 MiB of them without being cut as a slow consumer', async () => {
    const subject = subjectFor(key);
    let bytes = 0;
    for (let n = 1; n <= RECORDS; n++) {
      const data = encodeEvent({
        v: SCHEMA_VERSION,
        type: 'Put',
        key,
        uid: 'uid-big',
        time: new Date().toISOString(),
        actor: { component: 'test' },
        object: endpoints(n),
      });
      bytes += data.length;
      await writer.js.publish(subject, data);
    }
    expect(bytes).toBeGreaterThan(64 * 1024 * 1024);

    reader = await connectEventLog({ servers: server.url, name: 'reader', log });
    const statuses: string[] = [];
    void (async () => {
      for await (const s of (reader as EventLog).nc.status()) statuses.push(s.type);
    })();
    const informer = await startInformer(reader, { log });
    // A process busy for a moment (as an apiserver decoding its snapshot) reads nothing
    // meanwhile: what its pull asked for piles up in the server.
    const until = Date.now() + 1_500;
    while (Date.now() < until) {}
    await informer.synced;
    expect(getObject(informer.view, key)?.metadata.annotations?.n).toBe(String(RECORDS));
    await informer.stop();
    expect(statuses).not.toContain('disconnect');
  }, 60_000);
});
