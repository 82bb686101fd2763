import { startNatsServer } from '@kemu/testkit';
import { createLogger } from '@kemu/log';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from './errors.js';
import { type EventLog, connectEventLog } from './event-log.js';
import { startInformer } from './informer.js';
import { createObjectWriter } from './object-writer.js';
import { POD_NODE_NAME_INDEX, podNodeName } from './listers.js';
import { getObject } from './projection.js';

const log = createLogger({ component: 'test', level: 'silent' });
const key = { resource: 'services', namespace: 'default', name: 'web.service' };
const svc = (port: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web.service', namespace: 'default', uid: 'u1' },
  spec: { ports: [{ port }] },
});

describe('event log', () => {
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

  it('gives resourceVersion = stream sequence and rejects a stale write as a conflict', async () => {
    const informer = await startInformer(eventLog, { log });
    await informer.synced;
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    const a = await writer.put(key, svc(80));
    expect(a.metadata.resourceVersion).toBe('1');
    await writer.put(key, svc(81));
    await expect(writer.put(key, svc(82), 1)).rejects.toBeInstanceOf(ConflictError);
    expect(getObject(informer.view, key)?.metadata.resourceVersion).toBe('2');
    await informer.stop();
  });

  it('replays the log into the same view after a restart of the server', async () => {
    const first = await startInformer(eventLog, { log });
    await first.synced;
    const writer = createObjectWriter(eventLog, first, { component: 'test' });
    await writer.put(key, svc(80));
    await writer.update(key, (o) => ({ ...o, spec: { ports: [{ port: 90 }] } }));
    await first.stop();
    await eventLog.close();
    await server.restart();
    eventLog = await connectEventLog({ servers: server.url, name: 'test', log });
    const second = await startInformer(eventLog, { log });
    await second.synced;
    expect(getObject(second.view, key)).toEqual(getObject(first.view, key));
    expect(second.view.seq).toBe(2);
    await second.stop();
  });

  it('indexes replayed objects and keeps the index current before handlers run', async () => {
    const pod = (name: string, nodeName?: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', uid: `uid-${name}` },
      spec: { containers: [], ...(nodeName ? { nodeName } : {}) },
    });
    const podKey = (name: string) => ({ resource: 'pods', namespace: 'default', name });
    const first = await startInformer(eventLog, { log });
    await first.synced;
    const firstWriter = createObjectWriter(eventLog, first, { component: 'test' });
    await firstWriter.put(podKey('a'), pod('a', 'node-1'));
    await firstWriter.put(podKey('b'), pod('b'));
    await first.stop();

    const informer = await startInformer(eventLog, { log });
    await informer.synced;
    informer.addIndex('pods', POD_NODE_NAME_INDEX, podNodeName);
    const pods = informer.lister('pods');
    const names = (node: string) => pods.byIndex(POD_NODE_NAME_INDEX, node).map((p) => p.metadata.name);
    expect(names('node-1')).toEqual(['a']);
    const seenInHandler: string[][] = [];
    informer.on('pods', { onUpdate: () => seenInHandler.push(names('node-1')) });
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    await writer.put(podKey('b'), pod('b', 'node-1'));
    expect(seenInHandler).toEqual([['a', 'b']]);
    expect(pods.get('default', 'b')?.spec.nodeName).toBe('node-1');
    await informer.stop();
  });

  it('is synced at once on an empty log and follows later writes', async () => {
    const informer = await startInformer(eventLog, { resources: ['pods'], log });
    await informer.synced;
    const seen: string[] = [];
    informer.on('pods', {
      onAdd: (p) => seen.push(`ADDED ${p.metadata.name}`),
      onUpdate: (_, p) => seen.push(`MODIFIED ${p.metadata.name}`),
      onDelete: (p) => seen.push(`DELETED ${p.metadata.name}`),
    });
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    const podKey = { resource: 'pods', namespace: 'default', name: 'p' };
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [] },
    };
    await writer.put(podKey, pod);
    await writer.remove(podKey, pod);
    expect(seen).toEqual(['ADDED p', 'DELETED p']);
    await informer.stop();
  });
});
