/**
 * The apiserver over HTTPS with bearer tokens, against the real kubectl: a certificate
 * made with openssl for 127.0.0.1, a kubeconfig with the CA and the token, and the 401
 * Status kubectl turns into "You must be logged in".
 */
import { runKubectl, writeTokenKubeconfig } from './testing/kubectl-client.js';
import { selfSignedCert } from './testing/self-signed-cert.js';
import { connectEventLog, createObjectWriter, type EventLog, type Informer, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type NatsServer, startNatsServer } from '@kemu/testkit';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from './controllers/bootstrap.js';
import { type ApiServer, createApiServer } from './http/server.js';
import { parseCidr } from '@kemu/api';

const log = createLogger({ component: 'apiserver-tls-test', level: 'silent' });
const TOKEN = 'tls-test-token-0123456789';

function httpsGet(url: string, ca: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const req = request(url, { ca, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('apiserver over https with bearer tokens', () => {
  let nats: NatsServer;
  let eventLog: EventLog;
  let informer: Informer;
  let server: ApiServer;
  let dir: string;
  let url: string;
  let ca: string;

  const kubectl = (kubeconfig: string, args: string[]) => runKubectl(dir, kubeconfig, args);

  const kubeconfig = (name: string, token: string) => writeTokenKubeconfig(join(dir, name), url, ca, token);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-apiserver-tls-'));
    const { key, cert } = selfSignedCert(dir);
    ca = await readFile(cert, 'utf8');
    nats = await startNatsServer();
    eventLog = await connectEventLog({ servers: nats.url, name: 'apiserver-tls-test', log });
    informer = await startInformer(eventLog, { log });
    await informer.synced;
    const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
    server = createApiServer({
      informer,
      writer,
      log,
      serviceCidr: parseCidr('10.96.0.0/12'),
      tls: { cert: ca, key: await readFile(key, 'utf8') },
      tokens: [TOKEN],
    });
    await bootstrap(server.context, { advertise: '10.250.0.1:6443' });
    const [addr] = await server.listen(['127.0.0.1:0']);
    url = `https://127.0.0.1:${addr?.port}`;
  });

  afterAll(async () => {
    await server?.close();
    await informer?.stop();
    await eventLog?.close();
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves kubectl with the CA and the token', async () => {
    const r = await kubectl(await kubeconfig('good', TOKEN), ['get', 'ns', 'default', '-o', 'name']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('namespace/default\n');
  });

  it('refuses a wrong token with 401, which kubectl reports as not logged in', async () => {
    const r = await kubectl(await kubeconfig('bad', 'wrong-token'), ['get', 'pods']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });

  it('answers anonymous requests with a 401 Status, except the health and version paths', async () => {
    const anon = await httpsGet(`${url}/api/v1/namespaces/default/pods`, ca);
    expect(anon.status).toBe(401);
    expect(JSON.parse(anon.body)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
    expect((await httpsGet(`${url}/readyz`, ca)).status).toBe(200);
    expect((await httpsGet(`${url}/livez`, ca)).status).toBe(200);
    expect(JSON.parse((await httpsGet(`${url}/version`, ca)).body).gitVersion).toMatch(/^v1\.32\./);
    expect((await httpsGet(`${url}/api/v1/namespaces`, ca, TOKEN)).status).toBe(200);
  });
});
