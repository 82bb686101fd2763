import type { KubeObject } from '@kemu/api';
import { applyEvent, createView } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { consistently } from '@kemu/testkit';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frozenInformer, refusingWriter } from './read-only.js';
import { type ApiServer, createApiServer } from './http/server.js';
import { parseCidr } from '@kemu/api';

const log = createLogger({ component: 'test', level: 'silent' });

function endpoints(ips: string[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-ep' },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 8080 }] }],
  } as KubeObject;
}

describe('read-only apiserver', () => {
  let server: ApiServer;
  let base: string;
  const message = 'this apiserver is a read-only replay of the event log at sequence 7';
  beforeAll(async () => {
    const view = createView();
    const key = { resource: 'endpoints', namespace: 'default', name: 'web' };
    const event = (object: KubeObject) =>
      ({
        v: 1,
        type: 'Put',
        key,
        uid: 'uid-ep',
        time: '2026-11-26T10:00:00Z',
        actor: { component: 'test' },
        object,
      }) as const;
    applyEvent(view, 5, event(endpoints(['10.244.1.7', '10.244.2.4'])));
    view.seq = 7;
    server = createApiServer({
      informer: frozenInformer(view),
      writer: refusingWriter(message),
      serviceCidr: parseCidr('10.96.0.0/12'),
      log,
      readOnly: { message },
    });
    const [addr] = await server.listen(['127.0.0.1:0']);
    base = `http://127.0.0.1:${addr?.port}`;
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the frozen objects with their resourceVersions', async () => {
    const res = await fetch(`${base}/api/v1/namespaces/default/endpoints/web`);
    expect(res.status).toBe(200);
    const ep = (await res.json()) as KubeObject & { subsets: { addresses: { ip: string }[] }[] };
    expect(ep.metadata.resourceVersion).toBe('5');
    expect(ep.subsets[0]?.addresses.map((a) => a.ip)).toEqual(['10.244.1.7', '10.244.2.4']);
    const list = (await (await fetch(`${base}/api/v1/endpoints`)).json()) as { metadata: { resourceVersion: string } };
    expect(list.metadata.resourceVersion).toBe('7');
  });

  it('refuses every write verb with a 405 MethodNotAllowed Status', async () => {
    const body = JSON.stringify(endpoints([]));
    const headers = { 'Content-Type': 'application/json' };
    const attempts = [
      fetch(`${base}/api/v1/namespaces/default/endpoints`, { method: 'POST', body, headers }),
      fetch(`${base}/api/v1/namespaces/default/endpoints/web`, { method: 'PUT', body, headers }),
      fetch(`${base}/api/v1/namespaces/default/endpoints/web`, {
        method: 'PATCH',
        body: '{}',
        headers: { 'Content-Type': 'application/merge-patch+json' },
      }),
      fetch(`${base}/api/v1/namespaces/default/endpoints/web`, { method: 'DELETE' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(405);
      expect(await res.json()).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'MethodNotAllowed',
        code: 405,
        message,
      });
    }
    const still = await fetch(`${base}/api/v1/namespaces/default/endpoints/web`);
    expect(still.status).toBe(200);
  });

  it('answers a watch with the objects of the moment and keeps it open', async () => {
    const lines: string[] = [];
    const req = request(`${base}/api/v1/namespaces/default/endpoints?watch=true`);
    const open = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          lines.push(...chunk.split('\n').filter((l) => l !== ''));
          resolve();
        });
      });
      req.on('error', reject);
    });
    req.end();
    await open;
    await consistently(
      () => {
        expect(lines.map((l) => JSON.parse(l).type)).toEqual(['ADDED']);
        expect(req.destroyed).toBe(false);
      },
      { forMs: 300, what: 'a quiet open watch' },
    );
    req.destroy();
  });
});
