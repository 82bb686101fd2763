/**
 * Lists of a thousand pods and more against the real apiserver module over a real
 * nats-server: a whole list larger than a piece of the list writer comes chunked and
 * equals its `limit=500` pages, which stay as of the first page while the pods churn
 * between pages, and a Table of them has a row per pod.
 */
import { type KubeObject, parseCidr } from '@kemu/api';
import {
  type LogEvent,
  SCHEMA_VERSION,
  connectEventLog,
  createObjectWriter,
  encodeEvent,
  startInformer,
  subjectFor,
} from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { startNatsServer } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { createApiServer } from './http/server.js';

const log = createLogger({ component: 'apiserver-test', level: 'silent' });

interface List {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

const record = (type: 'Put' | 'Delete', namespace: string, name: string, generation: number): LogEvent => ({
  v: SCHEMA_VERSION,
  type,
  key: { resource: 'pods', namespace, name },
  uid: `uid-${namespace}-${name}`,
  time: new Date().toISOString(),
  actor: { component: 'test' },
  object: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, labels: { generation: String(generation) } },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  } as KubeObject,
});

const keyOf = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;

describe('large lists', () => {
  it('come whole in pieces, and in pages as of the first page while pods churn', async () => {
    await using nats = await startNatsServer();
    const eventLog = await connectEventLog({ servers: nats.url, name: 'large-lists', log });
    const informer = await startInformer(eventLog, { log });
    await informer.synced;
    const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
    const server = createApiServer({ informer, writer, log, serviceCidr: parseCidr('10.96.0.0/12') });
    const [addr] = await server.listen(['127.0.0.1:0']);
    const url = `http://127.0.0.1:${addr?.port}`;
    try {
      const publish = async (records: LogEvent[]) => {
        const acks = await Promise.all(records.map((r) => eventLog.js.publish(subjectFor(r.key), encodeEvent(r))));
        await informer.waitForSeq(Math.max(...acks.map((a) => a.seq)));
      };
      const names = Array.from({ length: 1200 }, (_, i) => [`ns-${i % 3}`, `pod-${String(i).padStart(4, '0')}`]);
      await publish(names.map(([ns, name]) => record('Put', ns as string, name as string, 1)));

      const res = await fetch(`${url}/api/v1/pods`);
      expect(res.headers.get('transfer-encoding')).toBe('chunked');
      const whole = (await res.json()) as List;
      expect(whole.items).toHaveLength(1200);
      expect(whole.items.map(keyOf)).toEqual(names.map(([ns, n]) => `${ns}/${n}`).sort());

      const pages: List[] = [];
      let token: string | undefined;
      do {
        const q = token ? `&continue=${encodeURIComponent(token)}` : '';
        pages.push((await (await fetch(`${url}/api/v1/pods?limit=500${q}`)).json()) as List);
        token = pages.at(-1)?.metadata.continue;
        // Between pages: pods of the pages to come updated, deleted and added.
        if (token && pages.length === 1)
          await publish([
            record('Put', 'ns-2', 'pod-1199', 2),
            record('Delete', 'ns-1', 'pod-1000', 1),
            record('Put', 'ns-2', 'pod-9999', 1),
            record('Put', 'ns-0', 'pod-0000', 2),
          ]);
      } while (token);
      expect(pages.map((p) => p.items.length)).toEqual([500, 500, 200]);
      expect(pages.map((p) => p.metadata.remainingItemCount)).toEqual([700, 200, undefined]);
      expect(pages.flatMap((p) => p.items)).toEqual(whole.items);

      const now = (await (await fetch(`${url}/api/v1/pods`)).json()) as List;
      expect(now.items).toHaveLength(1200);
      expect(now.items.find((p) => p.metadata.name === 'pod-1199')?.metadata.labels?.generation).toBe('2');
      const table = (await (
        await fetch(`${url}/api/v1/pods`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })
      ).json()) as { kind: string; rows: { cells: unknown[] }[] };
      expect(table.kind).toBe('Table');
      expect(table.rows.map((r) => r.cells[0])).toEqual(now.items.map((p) => p.metadata.name));
    } finally {
      await server.close();
      await informer.stop();
      await eventLog.close();
    }
  }, 60_000);
});
