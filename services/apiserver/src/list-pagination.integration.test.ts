/**
 * Paginated lists against the real apiserver module over a real nats-server: `limit` and
 * `continue` as kubectl sends them, pages served as of the first page's resourceVersion
 * (a write between pages shows on none), `remainingItemCount`, Table pages, a malformed
 * token (400) and one older than the change history (410 Expired), and a watch that goes
 * on from a list's resourceVersion without a relist.
 */
import type { HistoryLimits } from './verbs/change-history.js';
import { parseCidr } from '@kemu/api';
import { type EventLog, type Informer, connectEventLog, createObjectWriter, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type NatsServer, startNatsServer } from '@kemu/testkit';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { bootstrap } from './controllers/bootstrap.js';
import { type ApiServer, createApiServer } from './http/server.js';

const log = createLogger({ component: 'apiserver-test', level: 'silent' });
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

interface Apiserver {
  eventLog: EventLog;
  informer: Informer;
  server: ApiServer;
  url: string;
}

async function startApiserver(natsUrl: string, history: HistoryLimits = {}): Promise<Apiserver> {
  const eventLog = await connectEventLog({ servers: natsUrl, name: 'apiserver-test', log });
  const informer = await startInformer(eventLog, { log });
  await informer.synced;
  const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
  const server = createApiServer({ informer, writer, log, serviceCidr: parseCidr('10.96.0.0/12'), history });
  await bootstrap(server.context, { advertise: '10.250.0.1:6443' });
  const [addr] = await server.listen(['127.0.0.1:0']);
  return { eventLog, informer, server, url: `http://127.0.0.1:${addr?.port}` };
}

async function stopApiserver(a: Apiserver): Promise<void> {
  await a.server.close();
  await a.informer.stop();
  await a.eventLog.close();
}

interface List {
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: { metadata: { name: string; namespace: string; resourceVersion: string; labels?: Record<string, string> } }[];
}

const pod = (namespace: string, name: string, labels: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'pages', ...labels } },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  });

describe('paginated lists', () => {
  let nats: NatsServer;
  let api: Apiserver;

  async function call(method: string, path: string, body?: string, base = api.url) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const list = async (path: string, base = api.url) => {
    const r = await call('GET', path, undefined, base);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as unknown as List;
  };
  const names = (l: List) => l.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);

  /** Every page of `path` with `limit`, in order. */
  async function pages(path: string, limit: number, between?: (page: number) => Promise<void>): Promise<List[]> {
    const out: List[] = [];
    let token: string | undefined;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const cont = token ? `&continue=${encodeURIComponent(token)}` : '';
      out.push(await list(`${path}${sep}limit=${limit}${cont}`));
      token = out.at(-1)?.metadata.continue;
      if (token && between) await between(out.length);
    } while (token);
    return out;
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    api = await startApiserver(nats.url);
    expect((await call('POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'other' } }))).status).toBe(
      201,
    );
    for (const [ns, name] of [
      ['default', 'p3'],
      ['other', 'p1'],
      ['default', 'p1'],
      ['default', 'p5'],
      ['other', 'p2'],
      ['default', 'p2'],
      ['default', 'p4'],
    ] as const) {
      const r = await call('POST', `/api/v1/namespaces/${ns}/pods`, pod(ns, name, { odd: String(name.endsWith('1')) }));
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  }, 30_000);

  afterAll(async () => {
    await stopApiserver(api);
    await nats.stop();
  });

  it('gives in chunks exactly the unchunked list, with remainingItemCount and one resourceVersion', async () => {
    const whole = await list('/api/v1/pods');
    expect(whole.metadata.continue).toBeUndefined();
    const chunks = await pages('/api/v1/pods', 2);
    expect(chunks).toHaveLength(4);
    expect(chunks.flatMap(names)).toEqual(names(whole));
    expect(names(whole)).toEqual([...names(whole)].sort());
    expect(chunks.map((c) => c.metadata.remainingItemCount)).toEqual([5, 3, 1, undefined]);
    expect(new Set(chunks.map((c) => c.metadata.resourceVersion)).size).toBe(1);
    // In one namespace, and with a selector (no remainingItemCount then: etcd counts keys, not matches).
    expect((await pages('/api/v1/namespaces/default/pods', 3)).flatMap(names)).toEqual(
      names(await list('/api/v1/namespaces/default/pods')),
    );
    const selected = await pages('/api/v1/pods?labelSelector=odd%3Dfalse', 2);
    expect(selected.flatMap(names)).toEqual(['default/p2', 'default/p3', 'default/p4', 'default/p5', 'other/p2']);
    expect(selected.every((s) => s.metadata.remainingItemCount === undefined)).toBe(true);
  });

  it('serves later pages as of the first page: a write between pages shows on none of them', async () => {
    const before = await list('/api/v1/pods');
    const second = await startApiserver(nats.url);
    onTestFinished(() => stopApiserver(second));
    const chunks = await pages('/api/v1/pods', 3, async (page) => {
      if (page !== 1) return;
      await call('POST', '/api/v1/namespaces/other/pods', pod('other', 'p9'));
      await call(
        'PATCH',
        '/api/v1/namespaces/default/pods/p5',
        JSON.stringify({ metadata: { labels: { late: 'yes' } } }),
      );
      expect((await call('DELETE', '/api/v1/namespaces/other/pods/p2')).status).toBe(200);
    });
    expect(chunks.flatMap((c) => c.items)).toEqual(before.items);
    // Another apiserver, started before the writes, serves the same pages by undoing them from its history.
    await second.informer.waitForSeq(api.informer.view.seq);
    const token = encodeURIComponent(chunks[0]?.metadata.continue ?? '');
    const rest = await list(`/api/v1/pods?limit=100&continue=${token}`, second.url);
    expect(rest.items).toEqual(before.items.slice(3));
    const now = await list('/api/v1/pods');
    expect(names(now)).toContain('other/p9');
    expect(names(now)).not.toContain('other/p2');
    expect(now.items.find((i) => i.metadata.name === 'p5')?.metadata.labels?.late).toBe('yes');
  });

  it('cuts Table replies the same way', async () => {
    const res = await fetch(`${api.url}/api/v1/pods?limit=2`, { headers: { Accept: TABLE } });
    const table = (await res.json()) as { kind: string; rows: unknown[]; metadata: List['metadata'] };
    expect(table.kind).toBe('Table');
    expect(table.rows).toHaveLength(2);
    expect(table.metadata.continue).toBeTruthy();
    expect(table.metadata.remainingItemCount).toBeGreaterThan(0);
  });

  it('answers a malformed continue token with a 400 Status', async () => {
    for (const token of ['not base64!', Buffer.from('{"v":"meta.k8s.io/v1"}').toString('base64url'), 'e30']) {
      const r = await call('GET', `/api/v1/pods?limit=2&continue=${encodeURIComponent(token)}`);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'BadRequest',
        code: 400,
      });
      expect(String(r.body.message)).toMatch(/^continue key is not valid: /);
    }
    expect((await call('GET', '/api/v1/pods?limit=x')).status).toBe(400);
  });

  it('answers a token older than the change history with 410 Expired and a token to go on with', async () => {
    const small = await startApiserver(nats.url, { changes: 2 });
    try {
      // The first page from the other apiserver (same log): its list is not among this one's kept lists.
      const first = await list('/api/v1/namespaces/default/pods?limit=2');
      for (let i = 0; i < 4; i++)
        await call(
          'PATCH',
          '/api/v1/namespaces/default/pods/p1',
          JSON.stringify({ metadata: { labels: { n: String(i) } } }),
        );
      await small.informer.waitForSeq(api.informer.view.seq);
      const token = encodeURIComponent(first.metadata.continue ?? '');
      const r = await call('GET', `/api/v1/namespaces/default/pods?limit=2&continue=${token}`, undefined, small.url);
      expect(r.status).toBe(410);
      expect(r.body).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
      expect(String(r.body.message)).toMatch(/^The provided continue parameter is too old/);
      const next = (r.body.metadata as { continue: string }).continue;
      const rest = await list(
        `/api/v1/namespaces/default/pods?limit=10&continue=${encodeURIComponent(next)}`,
        small.url,
      );
      expect(names(rest)).toEqual(names(await list('/api/v1/namespaces/default/pods', small.url)).slice(2));
    } finally {
      await stopApiserver(small);
    }
  });

  it('goes on watching from a list resourceVersion without a relist', async () => {
    const l = await list('/api/v1/namespaces/default/pods?limit=1');
    await call('PATCH', '/api/v1/namespaces/default/pods/p2', JSON.stringify({ metadata: { labels: { w: '1' } } }));
    const lines = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      const req = get(
        `${api.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${l.metadata.resourceVersion}&timeoutSeconds=1`,
        (res) => {
          let buf = '';
          res.on('data', (c: Buffer) => {
            buf += c.toString('utf8');
          });
          res.on('end', () => resolve(buf.split('\n').filter(Boolean)));
        },
      );
      req.on('error', reject);
      void got;
    });
    const events = lines.map((s) => JSON.parse(s) as { type: string; object: { metadata: { name: string } } });
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['MODIFIED p2']);
  });
});
