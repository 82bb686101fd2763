/**
 * An informer whose consumer is gone (as when it died with a killed NATS cluster member)
 * still sees a write within a moment: it reads the missed events with direct gets
 * instead of waiting for the client to notice missed heartbeats and recreate the
 * consumer (about 3 s).
 */
import { createLogger } from '@kemu/log';
import { startNatsServer } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EventLog, connectEventLog } from './event-log.js';
import { startInformer } from './informer.js';
import { createObjectWriter } from './object-writer.js';
import { getObject } from './projection.js';
import { STREAM } from './subjects.js';

const log = createLogger({ component: 'test', level: 'silent' });
const cm = (name: string, n: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  data: { n: String(n) },
});

describe('informer catch-up by direct reads', () => {
  let server: Awaited<ReturnType<typeof startNatsServer>>;
  let eventLog: EventLog;
  beforeEach(async () => {
    server = await startNatsServer();
    eventLog = await connectEventLog({ servers: server.url, name: 'test', log });
  });
  afterEach(async () => {
    await eventLog.close();
    await server.stop();
  });

  it('sees a write within a second although its consumer was deleted', async () => {
    const informer = await startInformer(eventLog, { log });
    await informer.synced;
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    const key = { resource: 'configmaps', namespace: 'default', name: 'a' };
    await writer.put(key, cm('a', 1));

    const consumers: string[] = [];
    for await (const c of eventLog.jsm.consumers.list(STREAM)) consumers.push(c.name);
    expect(consumers).toHaveLength(1);
    await eventLog.jsm.consumers.delete(STREAM, consumers[0] as string);

    const started = Date.now();
    const stored = await writer.put(key, cm('a', 2));
    const seenMs = Date.now() - started;
    expect(getObject(informer.view, key)?.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
    expect(seenMs).toBeLessThan(1_000);

    // Later writes are seen as well (the consumer is recreated meanwhile).
    await writer.put(key, cm('a', 3));
    expect((getObject(informer.view, key) as unknown as ReturnType<typeof cm>).data.n).toBe('3');
    await informer.stop();
  }, 20_000);
});
