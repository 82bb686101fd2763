/**
 * The bad-input campaign against the real apiserver process (dist/main.js over HTTPS with
 * a bearer token, a real nats-server): ≥ 10 000 malformed requests from a seeded
 * generator — broken JSON and YAML, wrong types, huge and deeply nested bodies, nulls
 * where objects belong, bad names and selectors, bad patch documents, invalid
 * resourceVersions, oversized headers, bad protobuf — each answered with a 4xx Status
 * (431 for oversized headers, as Go's server answers), nothing
 * written (the stream's last sequence unchanged), the same process answering throughout.
 * Then the limits: a body over 3 MiB is a 413, a watch past KEMU_APISERVER_MAX_WATCHES a
 * 429 with Retry-After. KEMU_FUZZ_SEED replays a run; the figures are printed.
 */
import { selfSignedCert } from './testing/self-signed-cert.js';
import { connectEventLog, type EventLog } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import {
  eventually,
  freePort,
  fuzzSeed,
  type NatsServer,
  type SeededRandom,
  seededRandom,
  startNatsServer,
} from '@kemu/testkit';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'bad-input-campaign-token-0123456789';
const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');
const CASES = 10_000;
const CONCURRENCY = 16;
const MAX_WATCHES = 8;
const MIB3 = 3 * 1024 * 1024;
/** A request unanswered this long is a failure (a watch the campaign opened by mistake, a hang). */
const REQUEST_TIMEOUT_MS = 5_000;

interface Req {
  category: string;
  method: string;
  path: string;
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown> | undefined;
  text: string;
}

const PODS = '/api/v1/namespaces/default/pods';
const TARGET = 'target';

function basePod(name = 'fuzz'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'fuzz' } },
    spec: {
      containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: 'b' }] }],
    },
  };
}

/** A copy of `obj` with the value at a dotted path (numbers index arrays) replaced. */
function withValue(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  const parts = path.split('.');
  let at = copy as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) {
    at[p] ??= {};
    at = at[p] as Record<string, unknown>;
  }
  at[parts.at(-1) as string] = value;
  return copy;
}

// Each entry: a path of the base pod and a value of a wrong type or a null where an object belongs.
const WRONG_TYPES: [string, unknown][] = [
  ['metadata', 'pod'],
  ['metadata', null],
  ['metadata', []],
  ['metadata.name', 42],
  ['metadata.name', null],
  ['metadata.labels', ['app']],
  ['metadata.labels', 'app=fuzz'],
  ['metadata.labels.app', 7],
  ['metadata.labels.app', { a: 1 }],
  ['metadata.annotations', 3],
  ['spec', 'spec'],
  ['spec', null],
  ['spec', []],
  ['spec.containers', 'busybox'],
  ['spec.containers', null],
  ['spec.containers', {}],
  ['spec.containers', []],
  ['spec.containers', [null]],
  ['spec.containers', [[]]],
  ['spec.containers', ['c']],
  ['spec.containers.0.name', 5],
  ['spec.containers.0.image', null],
  ['spec.containers.0.image', ['busybox']],
  ['spec.containers.0.ports', [null]],
  ['spec.containers.0.ports', 'http'],
  ['spec.containers.0.ports.0.containerPort', '80'],
  ['spec.containers.0.ports.0.containerPort', 80.5],
  ['spec.containers.0.ports.0.containerPort', -1],
  ['spec.containers.0.ports.0.containerPort', 70_000],
  ['spec.containers.0.ports.0.containerPort', null],
  ['spec.containers.0.ports.0.protocol', 'ICMP'],
  ['spec.containers.0.env', [null]],
  ['spec.containers.0.env', { A: 'b' }],
  ['spec.containers.0.env.0.name', null],
  ['spec.containers.0.args', 'sleep 1'],
  ['spec.containers.0.args', [1, 2]],
  ['spec.containers.0.resources', 'big'],
  ['spec.containers.0.resources.limits', { cpu: 'lots' }],
  ['spec.containers.0.readinessProbe', 'yes'],
  ['spec.containers.0.readinessProbe', { httpGet: { port: null } }],
  ['spec.restartPolicy', 'Sometimes'],
  ['spec.restartPolicy', 1],
  ['spec.terminationGracePeriodSeconds', 'soon'],
  ['spec.nodeSelector', ['a']],
  ['spec.volumes', [null]],
  ['spec.volumes', 'tmp'],
  ['apiVersion', 'v0'],
  ['apiVersion', 1],
  ['kind', 'Service'],
];

const BAD_NAMES = [
  'UPPER',
  'under_score',
  'dot..dot',
  '-leading',
  'trailing-',
  'a'.repeat(254),
  'sp ace',
  'sl/ash',
  'é',
  '',
  '.',
  '..',
  'a%2Fb',
  'nul\u0000',
];

const BAD_SELECTORS = [
  'labelSelector=a%20in%20(',
  'labelSelector=!!a',
  'labelSelector=a%3Db%3Dc',
  'labelSelector=a%20notin',
  'labelSelector=%3D%3D',
  'labelSelector=a%3D%3D%3Db',
  `labelSelector=${'x'.repeat(70)}%3Db`,
  'labelSelector=a%3D' + 'b'.repeat(70),
  'labelSelector=A_b-%3Dc',
  'fieldSelector=spec.unknownField%3Dx',
  'fieldSelector=metadata.name',
  'fieldSelector=status.phase%3D%3D%3DRunning',
  'fieldSelector=%3Dx',
  'fieldSelector=metadata.name%20in%20(a)',
  'labelSelector=a&fieldSelector=nope%3D1',
];

const BAD_VERSIONS = ['abc', '-1', '1.5', '0x10', ' 1', '1e3', '99999999999999999999999', 'NaN', '--', '1,2'];

function truncate(rng: SeededRandom, text: string): string {
  return text.slice(0, 1 + rng.int(text.length - 1));
}

/** One malformed JSON text of a pod: never valid JSON. */
function brokenJson(rng: SeededRandom): string {
  const good = JSON.stringify(basePod(`j${rng.int(1e6)}`));
  switch (rng.int(6)) {
    case 0:
      return truncate(rng, good);
    case 1:
      return rng.pick(['x', ']', '}', ',', ':', "'", '\u0000']) + good;
    case 2:
      return good + rng.pick(['}', ']', ',', ' x', '{}', '"']);
    case 3: {
      // An unescaped control character inside a string.
      const at = good.indexOf('busybox');
      return `${good.slice(0, at)}\u0001${good.slice(at)}`;
    }
    case 4:
      return good.replace(/"name":/, rng.pick(['name:', "'name':", '"name"=', '"name" ']));
    default:
      return good.replace(/:80\b/, rng.pick([':08', ':0x50', ':+80', ':.80', ':80.', ':NaN', ':Infinity', ':1e']));
  }
}

/** One malformed YAML text of a pod: never a valid document. */
function brokenYaml(rng: SeededRandom): string {
  const name = `y${rng.int(1e6)}`;
  const good = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: busybox\n`;
  switch (rng.int(7)) {
    case 0:
      return good.replace('  name:', '\tname:');
    case 1:
      return good.replace('  - name: c', '  - name: c\n   image: x');
    case 2:
      return `${good}spec: {containers: [`;
    case 3:
      return good.replace(`name: ${name}`, `name: "${name}`);
    case 4:
      return good.replace('image: busybox', 'image: busybox: latest');
    case 5:
      return `${good}kind: Pod\n`; // a duplicate key
    default:
      return good.replace('metadata:', `metadata: &a\n  x: *b`);
  }
}

/** A pod as Kubernetes protobuf (`k8s\0`, runtime.Unknown), hand-encoded. */
function protobufPod(name: string): Buffer {
  const varint = (n: number) => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
  };
  const field = (num: number, bytes: Buffer) => Buffer.concat([varint((num << 3) | 2), varint(bytes.length), bytes]);
  const str = (num: number, s: string) => field(num, Buffer.from(s));
  const typeMeta = Buffer.concat([str(1, 'v1'), str(2, 'Pod')]);
  const meta = str(1, name);
  const container = Buffer.concat([str(1, 'c'), str(2, 'busybox')]);
  const pod = Buffer.concat([field(1, meta), field(2, field(2, container))]);
  return Buffer.concat([Buffer.from('k8s\0', 'binary'), field(1, typeMeta), field(2, pod)]);
}

/** A malformed protobuf body: every prefix of a pod with an invalid name, or no k8s envelope at all. */
function brokenProtobuf(rng: SeededRandom): Buffer {
  const good = protobufPod(`Bad_Name_${rng.int(1e6)}`);
  switch (rng.int(5)) {
    case 0:
      return Buffer.from(rng.bytes(rng.int(300)));
    case 1:
      return Buffer.concat([Buffer.from('k8s\0', 'binary'), Buffer.from(rng.bytes(1 + rng.int(300)))]);
    case 2:
      return good.subarray(0, 1 + rng.int(good.length - 1));
    case 3:
      // Random bytes in place of the last ones: the invalid name before them stays.
      return Buffer.concat([good.subarray(0, good.length - 3), Buffer.from(rng.bytes(3))]);
    default:
      return good;
  }
}

function deepJson(rng: SeededRandom): string {
  const depth = 101 + rng.int(20_000);
  return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

function deepYaml(rng: SeededRandom): string {
  const depth = 101 + rng.int(10_000);
  return rng.next() < 0.5
    ? `apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`
    : `${'- '.repeat(depth)}1\n`;
}

const JSON_PATCH_BAD = [
  '{"op":"add"}',
  '[{"op":"bogus","path":"/metadata/labels/a","value":"b"}]',
  '[{"op":"test","path":"/metadata/name","value":"nope"}]',
  '[{"op":"replace","path":"/spec/containers/99/image","value":"x"}]',
  '[{"op":"remove","path":"/metadata/nothing-here"}]',
  '[{"op":"add","path":"metadata/labels/a","value":"b"}]',
  '[{"op":"move","from":"/nowhere","path":"/metadata/labels/a"}]',
  '[{"op":"replace","path":"/metadata/name","value":"renamed"}]',
  '[{"op":"replace","path":"/spec/containers","value":null}]',
  '[{"op":"replace","path":"/spec/containers/0/ports/0/containerPort","value":"http"}]',
  '[null]',
  '[',
  '"patch"',
];

const MERGE_PATCH_BAD = [
  '{"metadata":{"name":"renamed"}}',
  '{"metadata":{"resourceVersion":"1"}}',
  '{"metadata":{"resourceVersion":"abc"}}',
  '{"spec":{"containers":null}}',
  '{"spec":{"containers":[null]}}',
  '{"spec":{"containers":[{"name":"c","image":"busybox","ports":[{"containerPort":"x"}]}]}}',
  '{"spec":{"restartPolicy":"Sometimes"}}',
  '{"metadata":{"labels":{"bad key!":"v"}}}',
  '{"metadata":{"labels":["a"]}}',
  '{"kind":"Service"}',
  '{',
  '[]',
  'null',
  '',
];

const STRATEGIC_PATCH_BAD = [
  '{"spec":{"containers":[{"$patch":"bogus","name":"c"}]}}',
  '{"spec":{"$setElementOrder/containers":"c"}}',
  '{"spec":{"containers":[{"image":"nameless"}]}}',
  '{"metadata":{"$patch":"replace"}}',
  '{"spec":{"containers":[{"name":"c","image":null}]}}',
  '{"metadata":{"name":"Bad_Name"}}',
];

/** The campaign's requests, drawn from `rng`. */
function campaign(rng: SeededRandom, n: number): Req[] {
  const makers: (() => Req)[] = [
    () => ({ category: 'broken JSON', method: 'POST', path: PODS, body: brokenJson(rng) }),
    () => ({
      category: 'broken YAML',
      method: 'POST',
      path: PODS,
      body: brokenYaml(rng),
      contentType: 'application/yaml',
    }),
    () => {
      const [path, value] = rng.pick(WRONG_TYPES);
      const yaml = rng.next() < 0.3;
      const obj = withValue(basePod(`t${rng.int(1e6)}`), path, value);
      return {
        category: value === null || (Array.isArray(value) && value[0] === null) ? 'nulls' : 'wrong types',
        method: rng.pick(['POST', 'POST', 'PUT']),
        path: rng.next() < 0.8 ? PODS : `${PODS}/${TARGET}`,
        body: yaml ? toYamlFlow(obj) : JSON.stringify(obj),
        contentType: yaml ? 'application/yaml' : 'application/json',
      };
    },
    () => ({
      category: 'deeply nested',
      method: 'POST',
      path: PODS,
      ...(rng.next() < 0.5 ? { body: deepJson(rng) } : { body: deepYaml(rng), contentType: 'application/yaml' }),
    }),
    () => {
      // Large but under the limit: a 1-2 MiB label value is invalid (63 characters at most).
      const big = 'v'.repeat(1024 * 1024 + rng.int(1024 * 1024));
      return {
        category: 'huge bodies',
        method: 'POST',
        path: PODS,
        body: JSON.stringify(withValue(basePod('huge'), 'metadata.labels.app', big)),
      };
    },
    () => {
      const name = rng.pick(BAD_NAMES);
      // `.` and `..` in a path are dot segments: the URL resolves them before sending.
      const inPath = rng.next() < 0.5 && name !== '.' && name !== '..';
      return inPath
        ? {
            category: 'bad names',
            method: rng.pick(['GET', 'PUT', 'DELETE', 'PATCH']),
            path: `${PODS}/${encodeURIComponent(name) || '%20'}`,
            body: JSON.stringify(basePod(name)),
            contentType: 'application/merge-patch+json',
          }
        : { category: 'bad names', method: 'POST', path: PODS, body: JSON.stringify(basePod(name)) };
    },
    () => ({
      category: 'bad selectors',
      method: 'GET',
      path: `${rng.pick([PODS, '/api/v1/pods', '/api/v1/services'])}?${rng.pick(BAD_SELECTORS)}${rng.next() < 0.3 ? '&watch=1' : ''}`,
    }),
    () => {
      const kind = rng.int(3);
      const [contentType, docs] =
        kind === 0
          ? ['application/json-patch+json', JSON_PATCH_BAD]
          : kind === 1
            ? ['application/merge-patch+json', MERGE_PATCH_BAD]
            : ['application/strategic-merge-patch+json', STRATEGIC_PATCH_BAD];
      const other = rng.next() < 0.1;
      return {
        category: 'bad patches',
        method: 'PATCH',
        path: `${PODS}/${TARGET}`,
        body: rng.pick(docs),
        contentType: other
          ? rng.pick(['text/plain', 'application/xml', 'application/apply-patch+yaml; x'])
          : contentType,
      };
    },
    () => {
      const v = encodeURIComponent(rng.pick(BAD_VERSIONS));
      const which = rng.int(4);
      if (which === 0) return { category: 'bad resourceVersions', method: 'GET', path: `${PODS}?resourceVersion=${v}` };
      if (which === 1)
        return { category: 'bad resourceVersions', method: 'GET', path: `${PODS}?watch=1&resourceVersion=${v}` };
      if (which === 2)
        return {
          category: 'bad resourceVersions',
          method: 'PUT',
          path: `${PODS}/${TARGET}`,
          body: JSON.stringify(withValue(basePod(TARGET), 'metadata.resourceVersion', decodeURIComponent(v))),
        };
      return {
        category: 'bad resourceVersions',
        method: 'DELETE',
        path: `${PODS}/${TARGET}`,
        body: JSON.stringify({
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          preconditions: { resourceVersion: decodeURIComponent(v) },
        }),
      };
    },
    () => ({
      category: 'oversized headers',
      method: rng.pick(['GET', 'POST']),
      path: PODS,
      body: JSON.stringify(basePod('hdr')),
      headers:
        rng.next() < 0.5
          ? { 'x-pad': 'h'.repeat(17_000 + rng.int(50_000)) }
          : Object.fromEntries(Array.from({ length: 200 + rng.int(300) }, (_, i) => [`x-h${i}`, 'v'.repeat(100)])),
    }),
    () => ({
      category: 'protobuf',
      method: 'POST',
      path: PODS,
      body: brokenProtobuf(rng),
      contentType: 'application/vnd.kubernetes.protobuf',
    }),
    () => ({
      category: 'bad paths and methods',
      method: rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']),
      path: rng.pick([
        '/api/v1/namespaces/default/widgets',
        '/api/v2/pods',
        '/apis/nope/v1/things',
        '/api/v1/namespaces/default/pods/target/bogus',
        '/api/v1/namespaces/no-such-ns/pods/x',
        '/api/v1/namespaces/default/pods/target/exec',
        '/api/v1/nodes/missing/status',
      ]),
      body: '{}',
    }),
  ];
  return Array.from({ length: n }, () => {
    const r = rng.pick(makers)();
    // Large bodies are few: each costs a megabyte or two of TLS; oversized headers cost a new connection each.
    if (r.category === 'huge bodies' && rng.next() < 0.9) return makers[0]?.() as Req;
    if (r.category === 'oversized headers' && rng.next() < 0.5) return makers[1]?.() as Req;
    return r;
  });
}

/** A JSON value as a one-line YAML flow document. */
function toYamlFlow(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

describe('apiserver under the bad-input campaign', () => {
  let nats: NatsServer;
  let dir: string;
  let ca: string;
  let url: string;
  let apiserver: ChildProcess;
  let eventLog: EventLog;
  let stderr = '';
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  function send(r: Req): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${TOKEN}`,
        ...(r.body !== undefined
          ? { 'content-type': r.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(r.body)) }
          : {}),
        ...r.headers,
      };
      if (headers['transfer-encoding']) delete headers['content-length'];
      const req = request(`${url}${r.path}`, { method: r.method, ca, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const json = (res.headers['content-type'] ?? '').startsWith('application/json');
          let body: Record<string, unknown> | undefined;
          try {
            body = json ? (JSON.parse(text) as Record<string, unknown>) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(r.body);
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-apiserver-campaign-'));
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
        KEMU_APISERVER_MAX_WATCHES: String(MAX_WATCHES),
        KEMU_CLUSTER: 'bad-input',
        KEMU_LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    apiserver.stderr?.on('data', (c) => (stderr += c));
    await eventually(
      async () =>
        (await send({ category: '', method: 'GET', path: '/readyz' }).catch(() => ({ status: 0 }))).status === 200,
      { timeoutMs: 20_000, what: 'the apiserver to be ready' },
    );
    eventLog = await connectEventLog({
      servers: nats.url,
      name: 'campaign-test',
      log: createLogger({ component: 'test', level: 'silent' }),
    });
    const created = await send({ category: '', method: 'POST', path: PODS, body: JSON.stringify(basePod(TARGET)) });
    expect(created.status, created.text).toBe(201);
  }, 30_000);

  afterAll(async () => {
    agent.destroy();
    await eventLog?.close();
    if (apiserver && apiserver.exitCode === null) {
      const exited = new Promise((r) => apiserver.once('exit', r));
      apiserver.kill('SIGTERM');
      await exited;
    }
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every malformed request with a 4xx Status and writes nothing', async () => {
    const seed = fuzzSeed();
    const requests = campaign(seededRandom(seed), CASES);
    const pid = apiserver.pid;
    const before = await eventLog.lastSequence();
    const started = Date.now();
    const byCategory = new Map<string, Map<number, number>>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const i = next++;
        const r = requests[i] as Req;
        let reply: Reply;
        try {
          reply = await send(r);
        } catch (err) {
          failures.push(`#${i} ${r.category} ${r.method} ${r.path.slice(0, 80)}: ${(err as Error).message}`);
          continue;
        }
        const codes = byCategory.get(r.category) ?? new Map<number, number>();
        codes.set(reply.status, (codes.get(reply.status) ?? 0) + 1);
        byCategory.set(r.category, codes);
        const isStatus = reply.body?.kind === 'Status' && reply.body.code === reply.status;
        const ok = reply.status >= 400 && reply.status < 500 && isStatus;
        if (!ok)
          failures.push(
            `#${i} ${r.category} ${r.method} ${r.path.slice(0, 80)} ${String(r.body ?? '').slice(0, reply.status < 300 ? 2000 : 160)} → ${reply.status} ${reply.text.slice(0, 200)}`,
          );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const ms = Date.now() - started;
    const after = await eventLog.lastSequence();

    const figures = [...byCategory]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([c, codes]) => `  ${c}: ${[...codes].map(([code, n]) => `${code}×${n}`).join(' ')}`);
    console.log(
      `apiserver bad-input campaign: seed ${seed}, ${requests.length} requests in ${ms} ms ` +
        `(${Math.round((requests.length * 1000) / ms)}/s, ${CONCURRENCY} concurrent), ` +
        `${failures.length} not a 4xx Status, stream last sequence ${before} → ${after}\n${figures.join('\n')}`,
    );
    expect(failures.slice(0, 20), `seed ${seed}\n${stderr.slice(-2000)}`).toEqual([]);
    expect(after).toBe(before);
    expect(apiserver.exitCode).toBeNull();
    expect(apiserver.pid).toBe(pid);
    expect((await send({ category: '', method: 'GET', path: `${PODS}/${TARGET}` })).status).toBe(200);
  }, 120_000);

  it('answers a body over 3 MiB with 413, declared or streamed', async () => {
    const before = await eventLog.lastSequence();
    const pad = 'x'.repeat(MIB3);
    const body = JSON.stringify(withValue(basePod('big'), 'metadata.annotations.pad', pad));
    const declared = await send({ category: '', method: 'POST', path: PODS, body });
    expect(declared.status).toBe(413);
    expect(declared.body).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    const streamed = await send({
      category: '',
      method: 'POST',
      path: PODS,
      body,
      headers: { 'transfer-encoding': 'chunked' },
    });
    expect(streamed.status).toBe(413);
    expect(await eventLog.lastSequence()).toBe(before);
  });

  it('answers a watch past the limit with 429 TooManyRequests and Retry-After, and serves one again when a watch ends', async () => {
    const open: { destroy(): void }[] = [];
    const openWatch = () =>
      new Promise<{
        status: number;
        headers: Record<string, unknown>;
        destroy(): void;
        body: () => Promise<string>;
      }>((resolve, reject) => {
        const req = request(`${url}${PODS}?watch=1`, {
          ca,
          agent: false,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          const ended = new Promise<string>((r) => res.on('end', () => r(Buffer.concat(chunks).toString('utf8'))));
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            destroy: () => req.destroy(),
            body: () => ended,
          });
        });
        req.on('error', reject);
        req.end();
      });
    for (let i = 0; i < MAX_WATCHES; i++) {
      const w = await openWatch();
      expect(w.status).toBe(200);
      open.push(w);
    }
    const refused = await openWatch();
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(await refused.body())).toMatchObject({
      kind: 'Status',
      reason: 'TooManyRequests',
      message: 'Too many requests, please try again later.',
      code: 429,
      details: { retryAfterSeconds: 1 },
    });
    // Lists and gets are not watches: still served.
    expect((await send({ category: '', method: 'GET', path: PODS })).status).toBe(200);
    open.pop()?.destroy();
    await eventually(
      async () => {
        const w = await openWatch();
        w.destroy();
        return w.status === 200;
      },
      { timeoutMs: 5_000, what: 'a watch to be served again' },
    );
    for (const w of open) w.destroy();
  });
});
