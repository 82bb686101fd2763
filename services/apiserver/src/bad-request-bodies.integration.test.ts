/**
 * Bad request bodies against the real apiserver process (dist/main.js over HTTPS with a
 * bearer token, a real nats-server): a YAML body nested 10 000 deep used to kill it in
 * the YAML parser, `containers: [null]` was a 500. Each now gets its Status, nothing is
 * written, and the same process keeps answering.
 */
import { selfSignedCert } from './testing/self-signed-cert.js';
import { freePort, startNatsServer, type NatsServer, eventually } from '@kemu/testkit';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'bad-bodies-test-token-0123456789';
const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

describe('apiserver given bad request bodies', () => {
  let nats: NatsServer;
  let dir: string;
  let ca: string;
  let url: string;
  let apiserver: ChildProcess;
  let stderr = '';

  function send(
    method: string,
    path: string,
    body?: string | Buffer,
    contentType = 'application/json',
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, 'content-type': contentType };
      const req = request(`${url}${path}`, { method, ca, headers, agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        const json = (res.headers['content-type'] ?? '').startsWith('application/json');
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: json ? JSON.parse(text) : { text } }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async function podNames(): Promise<string[]> {
    const r = await send('GET', '/api/v1/pods');
    return (r.body.items as { metadata: { name: string } }[]).map((p) => p.metadata.name);
  }

  async function expectAlive(): Promise<void> {
    expect(apiserver.exitCode).toBeNull();
    expect((await send('GET', '/api/v1/namespaces/default')).status).toBe(200);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-apiserver-bodies-'));
    const { key, cert } = selfSignedCert(dir);
    ca = await readFile(cert, 'utf8');
    await writeFile(join(dir, 'tokens'), `${TOKEN},admin,admin,"system:masters"\n`);
    nats = await startNatsServer();
    const port = await freePort();
    url = `https://127.0.0.1:${port}`;
    apiserver = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        KEMU_NATS_URL: nats.url,
        KEMU_APISERVER_LISTEN: `127.0.0.1:${port}`,
        KEMU_APISERVER_CERT: cert,
        KEMU_APISERVER_KEY: key,
        KEMU_APISERVER_TOKEN_FILE: join(dir, 'tokens'),
        KEMU_CLUSTER: 'bad-bodies',
        KEMU_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    apiserver.stderr?.on('data', (c) => (stderr += c));
    await eventually(async () => (await send('GET', '/readyz').catch(() => ({ status: 0 }))).status === 200, {
      timeoutMs: 20_000,
      what: 'the apiserver to be ready',
    });
  }, 30_000);

  afterAll(async () => {
    if (apiserver && apiserver.exitCode === null) {
      const exited = new Promise((r) => apiserver.once('exit', r));
      apiserver.kill('SIGTERM');
      await exited;
    }
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a YAML body nested 10 000 deep with a 400 and keeps running', async () => {
    const bodies = [
      '['.repeat(10_000) + ']'.repeat(10_000),
      `${'- '.repeat(10_000)}1\n`,
      `apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec: ${'{a: '.repeat(4_000)}1${'}'.repeat(4_000)}\n`,
    ];
    for (const body of bodies) {
      const r = await send('POST', '/api/v1/namespaces/default/pods', body, 'application/yaml');
      expect(r.status, stderr).toBe(400);
      expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
      expect(r.body.message).toBe('the request body is nested too deeply: the limit is 100 levels');
      await expectAlive();
    }
    const laughs = Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`);
    const billion = `apiVersion: v1\nkind: Pod\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${laughs.join('\n')}\n`;
    const r = await send('POST', '/api/v1/namespaces/default/pods', billion, 'application/yaml');
    expect(r.status).toBe(400);
    expect(await podNames()).toEqual([]);
    await expectAlive();
  });

  it('answers a JSON body nested 10 000 deep with a 400', async () => {
    const body = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep-json"},"spec":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const r = await send('POST', '/api/v1/namespaces/default/pods', body);
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('the request body is nested too deeply: the limit is 100 levels');
    await expectAlive();
  });

  it('answers a body over 3 MiB with 413 RequestEntityTooLarge, as kube-apiserver does', async () => {
    const pad = 'x'.repeat(3 * 1024 * 1024);
    const body = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big","annotations":{"pad":"${pad}"}}}`;
    const r = await send('POST', '/api/v1/namespaces/default/pods', body);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: limit is 3145728',
      code: 413,
    });
    expect(await podNames()).toEqual([]);
    await expectAlive();
  });

  it('answers null entries where objects belong with 422 Invalid and field causes', async () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
      [
        '/api/v1/namespaces/default/pods',
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { containers: [null] } },
        ['spec.containers[0].name', 'spec.containers[0].image'],
      ],
      [
        '/api/v1/namespaces/default/pods',
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p2' },
          spec: { containers: [{ name: 'c', image: 'busybox', ports: [null] }] },
        },
        ['spec.containers[0].ports[0].containerPort'],
      ],
      [
        '/api/v1/namespaces/default/services',
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 's1' }, spec: { ports: [null] } },
        ['spec.ports[0].port'],
      ],
      ...['deployments', 'replicasets'].map((resource): [string, Record<string, unknown>, string[]] => [
        `/apis/apps/v1/namespaces/default/${resource}`,
        {
          apiVersion: 'apps/v1',
          kind: resource === 'deployments' ? 'Deployment' : 'ReplicaSet',
          metadata: { name: 'w1' },
          spec: {
            selector: { matchLabels: { app: 'w' } },
            template: { metadata: { labels: { app: 'w' } }, spec: { containers: [null] } },
          },
        },
        ['spec.template.spec.containers[0].name', 'spec.template.spec.containers[0].image'],
      ]),
    ];
    for (const [path, obj, fields] of cases) {
      const r = await send('POST', path, JSON.stringify(obj));
      expect(r.status, `${path} ${stderr}`).toBe(422);
      expect(r.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
      const causes = (r.body.details as { causes: { field: string }[] }).causes.map((c) => c.field);
      expect(causes).toEqual(expect.arrayContaining(fields));
      const name = (obj.metadata as { name: string }).name;
      expect((await send('GET', `${path}/${name}`)).status).toBe(404);
    }
    expect(await podNames()).toEqual([]);
    await expectAlive();
  });
});
