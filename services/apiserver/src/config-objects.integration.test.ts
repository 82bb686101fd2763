/**
 * ConfigMaps and Secrets through the apiserver on a real nats-server: validation and
 * immutability Status replies, stringData merged into data, and Secrets encrypted at rest
 * (the raw stream message and an informer without the key see only ciphertext, a second
 * apiserver with the key reads the plaintext back).
 */
import { parseCidr } from '@kemu/api';
import {
  ENCRYPTED_FIELD,
  type EventLog,
  type Informer,
  STREAM,
  connectEventLog,
  createObjectWriter,
  createSecretCipher,
  startInformer,
  subjectFor,
} from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type NatsServer, startNatsServer } from '@kemu/testkit';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from './controllers/bootstrap.js';
import { type ApiServer, createApiServer } from './http/server.js';

const log = createLogger({ component: 'apiserver-test', level: 'silent' });
const key = randomBytes(32);

interface Api {
  eventLog: EventLog;
  informer: Informer;
  server: ApiServer;
  url: string;
}

async function startApi(natsUrl: string): Promise<Api> {
  const cipher = createSecretCipher(key);
  const eventLog = await connectEventLog({ servers: natsUrl, name: 'apiserver-test', log, cipher });
  const informer = await startInformer(eventLog, { log, cipher });
  await informer.synced;
  const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
  const server = createApiServer({ informer, writer, log, serviceCidr: parseCidr('10.96.0.0/12') });
  await bootstrap(server.context, {});
  const [addr] = await server.listen(['127.0.0.1:0']);
  return { eventLog, informer, server, url: `http://127.0.0.1:${addr?.port}` };
}

async function stopApi(a: Api): Promise<void> {
  await a.server.close();
  await a.informer.stop();
  await a.eventLog.close();
}

describe('apiserver: configmaps and secrets', () => {
  let nats: NatsServer;
  let api: Api;

  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const cms = '/api/v1/namespaces/default/configmaps';
  const secrets = '/api/v1/namespaces/default/secrets';

  beforeAll(async () => {
    nats = await startNatsServer();
    api = await startApi(nats.url);
  });

  afterAll(async () => {
    await stopApi(api);
    await nats.stop();
  });

  it('creates, reads, updates and deletes a ConfigMap, refusing bad keys with 422', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { color: 'blue' } };
    expect((await send('POST', cms, cm)).status).toBe(201);
    const got = await send('GET', `${cms}/app`);
    expect(got.body.data).toEqual({ color: 'blue' });
    const put = await send('PUT', `${cms}/app`, { ...got.body, data: { color: 'green' } });
    expect(put.status).toBe(200);
    expect(put.body.data).toEqual({ color: 'green' });
    const bad = await send('POST', cms, { ...cm, metadata: { name: 'bad' }, data: { 'a b': 'x' } });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(
      /^ConfigMap "bad" is invalid: data\[a b\]: Invalid value: "a b": a valid config key/,
    );
    expect((await send('DELETE', `${cms}/app`)).status).toBe(200);
    expect((await send('GET', `${cms}/app`)).status).toBe(404);
  });

  it('refuses to change the data of an immutable ConfigMap with Kubernetes’ message', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen' }, immutable: true, data: { a: '1' } };
    await send('POST', cms, cm);
    const current = (await send('GET', `${cms}/frozen`)).body;
    const r = await send('PUT', `${cms}/frozen`, { ...current, data: { a: '2' } });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe(
      'ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set',
    );
  });

  it('merges stringData into data and stores the Secret as ciphertext only', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      data: { user: Buffer.from('admin').toString('base64') },
      stringData: { password: 'hunter2-plain' },
    };
    const created = await send('POST', secrets, secret);
    expect(created.status).toBe(201);
    expect(created.body.type).toBe('Opaque');
    expect(created.body.stringData).toBeUndefined();
    const password = Buffer.from('hunter2-plain').toString('base64');
    expect(created.body.data).toEqual({ user: Buffer.from('admin').toString('base64'), password });

    const jsm = api.eventLog.jsm;
    const raw = await jsm.streams.getMessage(STREAM, {
      last_by_subj: subjectFor({ resource: 'secrets', namespace: 'default', name: 'db' }),
    });
    const text = Buffer.from(raw?.data ?? []).toString('latin1');
    expect(text).toContain('k8s:enc:aesgcm:v1:key1:');
    expect(text).not.toContain('hunter2-plain');
    expect(text).not.toContain(password);

    const blind = await startInformer(api.eventLog, { log, resources: ['secrets'] });
    await blind.synced;
    const sealed = blind.lister('secrets').get('default', 'db') as unknown as Record<string, unknown>;
    expect(sealed.data).toBeUndefined();
    expect(String(sealed[ENCRYPTED_FIELD])).toMatch(/^k8s:enc:aesgcm:v1:key1:/);
    await blind.stop();

    const second = await startApi(nats.url);
    try {
      const res = await fetch(`${second.url}${secrets}/db`);
      expect(((await res.json()) as { data: unknown }).data).toEqual(created.body.data);
    } finally {
      await stopApi(second);
    }
  });
});
