import { createLogger } from '@kemu/log';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from './errors.js';
import { type EventLog, connectEventLog } from './event-log.js';
import { startInformer } from './informer.js';
import { createObjectWriter } from './object-writer.js';
import { POD_NODE_NAME_INDEX, podNodeName } from './listers.js';
import { getObject } from './projection.js';
import { createPodStatusWriter } from './pod-status-writer.js';
import { STREAM, STREAM_SUBJECTS } from './subjects.js';
import { pod, startNatsServer } from '@kemu/testkit';
import type { Pod } from '@kemu/api';

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

  it('adds the node subjects to a stream made before them, keeping its records', async () => {
    await eventLog.jsm.streams.update(STREAM, { subjects: ['kemu.obj.>'] });
    const informer = await startInformer(eventLog, { log });
    await informer.synced;
    await createObjectWriter(eventLog, informer, { component: 'test' }).put(key, svc(80));
    const again = await connectEventLog({ servers: server.url, name: 'test-2', log });
    try {
      const info = await again.jsm.streams.info(STREAM);
      expect(info.config.subjects).toEqual([...STREAM_SUBJECTS]);
      expect(info.state.messages).toBe(1);
    } finally {
      await again.close();
      await informer.stop();
    }
  });

  it("takes a spec write at a resourceVersion that is its node's status record, and refuses an older one", async () => {
    const informer = await startInformer(eventLog, { log });
    await informer.synced;
    const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
    const podKey = { resource: 'pods', namespace: 'default', name: 'web' } as const;
    const created = await writer.put(podKey, pod('web', { node: 'node-1', status: { phase: 'Pending' } }));
    const status = createPodStatusWriter(eventLog, informer, { component: 'node-agent', node: 'node-1' });
    const running = await status.updateStatus(podKey, () => ({ phase: 'Running' }));
    const rv = Number(running?.metadata.resourceVersion);
    expect(rv).toBeGreaterThan(Number(created.metadata.resourceVersion));
    // A label built on the latest version: the object subject's compare-and-set holds, the status stays.
    const labelled = await writer.put(
      podKey,
      { ...(running as Pod), metadata: { ...(running as Pod).metadata, labels: { v: '2' } } },
      rv,
    );
    expect(getObject(informer.view, podKey)).toMatchObject({
      metadata: { labels: { v: '2' }, resourceVersion: labelled.metadata.resourceVersion },
      status: { phase: 'Running' },
    });
    // One built on the version before the status record, after the label: a conflict, as before.
    await expect(writer.put(podKey, created, Number(created.metadata.resourceVersion))).rejects.toBeInstanceOf(
      ConflictError,
    );
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
