/**
 * The credentials `kemu up` writes, against a real nats-server started with the
 * configuration it writes: each component can do its work (a node-agent's and a proxy's
 * informer sync, from a snapshot too) and nothing else. Proven refusals: a node-agent
 * writing another node's Node and Lease, a proxy writing any object or deleting the
 * stream, a joined node acting as another node, a node-agent writing the status of a pod
 * of another node (or a pod's object subject), a client without a credential or with an
 * unknown one. Nothing refused is stored; a status record on the wrong node's subject,
 * stored with the admin credential, is refused by every informer's projection.
 */
import type { Pod } from '@kemu/api';
import {
  type Change,
  type LogEvent,
  createObjectWriter,
  createPodStatusWriter,
  connectEventLog,
  nodeStatusSubjectFor,
  openSnapshotStore,
  startInformer,
  type EventLog,
  WriteForbiddenError,
  publicKeyOfSeed,
} from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { pod, startNatsServer } from '@kemu/testkit';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRoles, joinedNodeRole, newNkeyUserFile, seedFile, writeNatsAuth } from './nats-auth.js';

const log = createLogger({ component: 'test', level: 'silent' });
const actor = { component: 'test' };

describe('per-component NATS credentials', () => {
  let stateDir: string;
  let server: Awaited<ReturnType<typeof startNatsServer>>;
  const open: EventLog[] = [];

  async function as(user: string): Promise<EventLog> {
    const eventLog = await connectEventLog({
      servers: server.url,
      name: user,
      log,
      failFast: true,
      nkeyFile: seedFile(stateDir, user),
    });
    open.push(eventLog);
    return eventLog;
  }

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'kemu-nats-auth-'));
    const paths = await writeNatsAuth(stateDir, clusterRoles(['node-1', 'node-2']), {
      extraRoles: [joinedNodeRole('node-3')],
    });
    server = await startNatsServer({ config: await readFile(paths.serverConfig, 'utf8') });
  });
  afterAll(async () => {
    for (const e of open) await e.close();
    await server?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('keeps seeds 0600 in a 0700 folder', async () => {
    expect((await stat(join(stateDir, 'nats-auth'))).mode & 0o777).toBe(0o700);
    expect((await stat(seedFile(stateDir, 'admin'))).mode & 0o777).toBe(0o600);
    expect((await stat(seedFile(stateDir, 'node-agent-node-1'))).mode & 0o777).toBe(0o600);
    // The server's file names public keys only, never a seed.
    const conf = await readFile(join(stateDir, 'nats-auth', 'nats-server.conf'), 'utf8');
    for (const user of ['admin', 'apiserver', 'node-agent-node-1', 'node-node-3']) {
      const seed = (await readFile(seedFile(stateDir, user), 'utf8')).trim();
      expect(seed).toMatch(/^SU/);
      expect(conf).not.toContain(seed);
      expect(conf).toContain(publicKeyOfSeed(seed));
    }
  });

  it('lets each component work and refuses everything beyond its role', async () => {
    const api = await as('apiserver');
    const apiInformer = await startInformer(api, { log });
    await apiInformer.synced;
    const apiWriter = createObjectWriter(api, apiInformer, actor);
    const web = pod('web', { node: 'node-1' });
    await apiWriter.put({ resource: 'pods', namespace: 'default', name: 'web' }, web);
    // A snapshot as the controller writes one, so the readers below start from it.
    const controller = await as('controller');
    const store = await openSnapshotStore(controller, { create: true });
    expect(store).toBeDefined();
    await store?.write(apiInformer.view);

    const agent = await as('node-agent-node-1');
    const agentInformer = await startInformer(agent, { log });
    await agentInformer.synced;
    expect(agentInformer.lister('pods').get('default', 'web')?.spec?.nodeName).toBe('node-1');
    const agentWriter = createObjectWriter(agent, agentInformer, actor);
    const lease = (node: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: node, namespace: 'kube-node-lease' },
      spec: { holderIdentity: node },
    });
    await agentWriter.put({ resource: 'leases', namespace: 'kube-node-lease', name: 'node-1' }, lease('node-1'));
    await expect(
      agentWriter.put({ resource: 'leases', namespace: 'kube-node-lease', name: 'node-2' }, lease('node-2')),
    ).rejects.toBeInstanceOf(WriteForbiddenError);
    await expect(
      agentWriter.put(
        { resource: 'nodes', namespace: '', name: 'node-2' },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2' } },
      ),
    ).rejects.toBeInstanceOf(WriteForbiddenError);
    await expect(
      agentWriter.put(
        { resource: 'services', namespace: 'default', name: 'evil' },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'evil', namespace: 'default' } },
      ),
    ).rejects.toBeInstanceOf(WriteForbiddenError);

    const proxy = await as('proxy-node-1');
    const proxyInformer = await startInformer(proxy, { log });
    await proxyInformer.synced;
    expect(proxyInformer.lister('pods').get('default', 'web')).toBeDefined();
    const proxyWriter = createObjectWriter(proxy, proxyInformer, actor);
    await proxyWriter.put(
      { resource: 'pods', namespace: 'kube-system', name: 'kube-proxy-node-1' },
      pod('kube-proxy-node-1', { namespace: 'kube-system' }),
    );
    for (const name of ['evil', 'kube-proxy-node-2']) {
      await expect(
        proxyWriter.put({ resource: 'pods', namespace: name === 'evil' ? 'default' : 'kube-system', name }, pod(name)),
      ).rejects.toBeInstanceOf(WriteForbiddenError);
    }
    await expect(
      proxyWriter.update({ resource: 'pods', namespace: 'default', name: 'web' }, (p) => ({
        ...p,
        status: { phase: 'Failed' },
      })),
    ).rejects.toBeInstanceOf(WriteForbiddenError);
    await expect(proxy.jsm.streams.purge('KEMU')).rejects.toThrow();
    await expect(proxy.jsm.streams.delete('KEMU')).rejects.toThrow();

    const joined = await as('node-node-3');
    const joinedInformer = await startInformer(joined, { log });
    await joinedInformer.synced;
    const joinedWriter = createObjectWriter(joined, joinedInformer, actor);
    await joinedWriter.put({ resource: 'leases', namespace: 'kube-node-lease', name: 'node-3' }, lease('node-3'));
    await expect(
      joinedWriter.put({ resource: 'leases', namespace: 'kube-node-lease', name: 'node-1' }, lease('node-1')),
    ).rejects.toBeInstanceOf(WriteForbiddenError);

    // Only the allowed writes are in the log: the pod, two Leases and the proxy's pod.
    const admin = await as('admin');
    const info = await admin.jsm.streams.info('KEMU', { subjects_filter: '>' });
    expect(Object.keys(info.state.subjects ?? {}).sort()).toEqual([
      'kemu.obj.leases.kube-node-lease.node-1',
      'kemu.obj.leases.kube-node-lease.node-3',
      'kemu.obj.pods.default.web',
      'kemu.obj.pods.kube-system.kube-proxy-node-1',
    ]);
    expect(apiInformer.lister('pods').get('default', 'web')?.status?.phase).not.toBe('Failed');
  });

  it("lets a node-agent write its own pods' status and Events only, and the projection refuses a status on another node's subject", async () => {
    const api = await as('apiserver');
    const apiInformer = await startInformer(api, { log });
    await apiInformer.synced;
    const changes: Change[] = [];
    apiInformer.onAnyChange((c) => changes.push(c));
    const apiWriter = createObjectWriter(api, apiInformer, actor);
    const db = { resource: 'pods', namespace: 'default', name: 'db' } as const;
    const other = { resource: 'pods', namespace: 'default', name: 'cache' } as const;
    await apiWriter.put(db, pod('db', { node: 'node-1', metadata: { uid: 'db-1' }, status: { phase: 'Pending' } }));
    await apiWriter.put(other, pod('cache', { node: 'node-2', status: { phase: 'Pending' } }));

    // node-1's agent follows every pod's spec and its own node's status records only.
    const agent = await as('node-agent-node-1');
    const agentInformer = await startInformer(agent, { resources: ['pods'], node: 'node-1', log });
    await agentInformer.synced;
    const status = createPodStatusWriter(agent, agentInformer, { component: 'node-agent', node: 'node-1' });
    const stored = await status.updateStatus(db, () => ({ phase: 'Running', podIP: '10.244.1.9' }));
    expect(stored?.status?.phase).toBe('Running');
    const seq = Number(stored?.metadata.resourceVersion);
    expect(await apiInformer.waitForSeq(seq)).toBe(true);
    expect(apiInformer.lister('pods').get('default', 'db')?.status).toEqual({ phase: 'Running', podIP: '10.244.1.9' });
    expect(apiInformer.lister('pods').get('default', 'db')?.metadata.resourceVersion).toBe(String(seq));
    expect(changes.find((c) => c.seq === seq)?.type).toBe('MODIFIED');

    // The server refuses node-1's writes of a node-2 pod's status, and of the pod's object subject.
    await expect(status.updateStatus(other, () => ({ phase: 'Failed' }))).rejects.toBeInstanceOf(WriteForbiddenError);
    await expect(
      createObjectWriter(agent, agentInformer, actor).update(db, (p) => ({ ...p, status: { phase: 'Failed' } })),
    ).rejects.toBeInstanceOf(WriteForbiddenError);

    // The admin may store anything; a status for db (bound to node-1) on node-2's subject changes no view.
    const admin = await as('admin');
    const forged: LogEvent = {
      v: 1,
      type: 'Put',
      key: db,
      uid: 'db-1',
      time: new Date().toISOString(),
      actor: { component: 'forger', node: 'node-2' },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'db', namespace: 'default', uid: 'db-1' },
        status: { phase: 'Failed' },
      },
      base: seq,
    };
    const forgedSeq = await admin.append(forged, 0, nodeStatusSubjectFor('node-2', db));
    expect(await apiInformer.waitForSeq(forgedSeq)).toBe(true);
    expect(apiInformer.refusedEvents()).toBe(1);
    expect(apiInformer.lister('pods').get('default', 'db')?.status?.phase).toBe('Running');
    expect(changes.some((c) => c.seq === forgedSeq)).toBe(false);
    // A replay of the whole log refuses it alike; node-1's agent is not even delivered it.
    const replay = await startInformer(admin, { log, useSnapshots: false });
    await replay.synced;
    expect(replay.refusedEvents()).toBe(1);
    expect((replay.lister('pods').get('default', 'db') as Pod).status?.phase).toBe('Running');
    expect(await agentInformer.waitForSeq(forgedSeq)).toBe(true);
    expect(agentInformer.refusedEvents()).toBe(0);
    expect(agentInformer.lister('pods').get('default', 'db')?.status?.phase).toBe('Running');

    // The agent removes its terminated pod with its final status.
    const removed = await status.removePod(db, () => ({ phase: 'Succeeded' }));
    expect(removed).toBeDefined();
    expect(await apiInformer.waitForSeq(removed as number)).toBe(true);
    expect(apiInformer.lister('pods').get('default', 'db')).toBeUndefined();
    expect(changes.find((c) => c.seq === removed)).toMatchObject({
      type: 'DELETED',
      object: { status: { phase: 'Succeeded' } },
    });
    // Its Events go on its own node's subjects; on the Events' object subjects it is refused.
    const kubeletEvent = (name: string, host: string) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: 'default' },
      source: { component: 'kubelet', host },
    });
    const eventKey = (name: string) => ({ resource: 'events', namespace: 'default', name });
    const nodeWriter = createObjectWriter(agent, agentInformer, actor, { eventsOnNode: 'node-1' });
    const started = await nodeWriter.put(eventKey('db.started'), kubeletEvent('db.started', 'node-1'));
    expect(await apiInformer.waitForSeq(Number(started.metadata.resourceVersion))).toBe(true);
    expect(apiInformer.lister('events').get('default', 'db.started')?.source?.host).toBe('node-1');
    const spoofed = await nodeWriter.put(eventKey('db.spoofed'), kubeletEvent('db.spoofed', 'node-2'));
    expect(await apiInformer.waitForSeq(Number(spoofed.metadata.resourceVersion))).toBe(true);
    expect(apiInformer.lister('events').get('default', 'db.spoofed')).toBeUndefined();
    expect(apiInformer.refusedEvents()).toBe(2);
    await expect(
      createObjectWriter(agent, agentInformer, actor).put(eventKey('db.x'), kubeletEvent('db.x', 'node-1')),
    ).rejects.toBeInstanceOf(WriteForbiddenError);

    // Stored on node subjects: node-1's own records and the admin's; nothing of node-1's refused writes.
    const info = await admin.jsm.streams.info('KEMU', { subjects_filter: 'kemu.node.>' });
    expect(Object.keys(info.state.subjects ?? {}).sort()).toEqual([
      'kemu.node.node-1.events.default.db~spoofed',
      'kemu.node.node-1.events.default.db~started',
      'kemu.node.node-1.pods.default.db',
      'kemu.node.node-2.pods.default.db',
    ]);
    for (const i of [apiInformer, agentInformer, replay]) await i.stop();
  });

  it('refuses a client without a credential or with one the server does not know', async () => {
    await expect(connectEventLog({ servers: server.url, name: 'anonymous', log, failFast: true })).rejects.toThrow(
      /authoriz/i,
    );
    const stranger = join(stateDir, 'stranger.nk');
    await newNkeyUserFile(stranger);
    await expect(
      connectEventLog({ servers: server.url, name: 'stranger', log, failFast: true, nkeyFile: stranger }),
    ).rejects.toThrow(/authoriz/i);
    await writeFile(join(stateDir, 'garbage.nk'), 'not a seed\n');
    await expect(
      connectEventLog({
        servers: server.url,
        name: 'garbage',
        log,
        failFast: true,
        nkeyFile: join(stateDir, 'garbage.nk'),
      }),
    ).rejects.toThrow(/no NATS user seed/);
  });
});
