/**
 * The apiserver alone at 1k → 10k pods, without a cluster: a real nats-server, synthetic
 * pods (hollow-pod shaped, written Pending then Running, two Events each, as a real
 * cluster's log holds them) appended straight to the log while the apiserver's bundle
 * runs as its own process. At each size: all pods listed in `limit=500` pages, whole
 * (JSON and Table), each with the wall time and the apiserver's CPU, and its RSS once it
 * has read the log and after the lists. Standalone:
 * `node test/dist/bench/apiserver-scale.js [1000,3000,10000 [apiserver bundle]]`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, ObjectKey } from '@kemu/api';
import { type LogEvent, SCHEMA_VERSION, connectEventLog, encodeEvent, subjectFor } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { freePort, startNatsServer } from '@kemu/testkit';
import { repoRoot } from '../kemu-cluster.js';
import { TABLE_ACCEPT, apiGetter, cpuSeconds, listPaginated, rssMiB, timedMs, until } from './growth-probes.js';
import { growthNote } from './growth-rows.js';
import { median } from './stats.js';
import type { Row } from './table.js';

/** A list's wall time (median) and the apiserver's CPU time for it (mean). */
export interface Figure {
  ms: number;
  cpuMs: number;
}

/** One size's figures. */
export interface ApiserverScaleSample {
  pods: number;
  paged: Figure;
  json: Figure;
  table: Figure;
  /** RSS once the apiserver has read the log, before any list. */
  rssReadMiB: number;
  /** RSS after the lists. */
  rssMiB: number;
}

/** Rounds of each list per size. */
const ROUNDS = 10;

const put = (key: ObjectKey, object: KubeObject): LogEvent => ({
  v: SCHEMA_VERSION,
  type: 'Put',
  key,
  uid: object.metadata.uid ?? '',
  time: new Date().toISOString(),
  actor: { component: 'bench' },
  object,
});

/** A Running pod as a hollow node leaves it. */
function syntheticPod(i: number): KubeObject {
  const name = `growth-7d9c8f6b5-${i.toString(36).padStart(5, '0')}`;
  const node = `hollow-${i % 100}`;
  const time = '2026-12-07T12:00:00Z';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: `ns-${i % 10}`,
      uid: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      creationTimestamp: time,
      labels: { app: 'growth', 'pod-template-hash': '7d9c8f6b5' },
      annotations: { 'kemu.dev/hollow': 'true' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'growth-7d9c8f6b5', uid: 'rs', controller: true },
      ],
    },
    spec: {
      nodeName: node,
      containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080, protocol: 'TCP' }] }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      serviceAccountName: 'default',
    },
    status: {
      phase: 'Running',
      podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      hostIP: `10.250.1.${i % 100}`,
      startTime: time,
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
        type,
        status: 'True',
        lastTransitionTime: time,
      })),
      containerStatuses: [
        { name: 'web', ready: true, restartCount: 0, image: 'nginx', state: { running: { startedAt: time } } },
      ],
    },
  } as unknown as KubeObject;
}

function syntheticEvent(pod: KubeObject, reason: string): KubeObject {
  const { name, namespace } = pod.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.${reason.toLowerCase()}`, namespace },
    involvedObject: { kind: 'Pod', name, namespace, apiVersion: 'v1' },
    reason,
    message: `${reason} pod ${name}`,
    type: 'Normal',
    count: 1,
    source: { component: 'kubelet' },
  } as unknown as KubeObject;
}

const keyOf = (resource: string, o: KubeObject): ObjectKey => ({
  resource,
  namespace: o.metadata.namespace ?? '',
  name: o.metadata.name,
});

/** Measures the apiserver at each of `sizes` pods (ascending); returns a sample per size. */
export async function measureApiserverScaleSamples(
  progress: (m: string) => void,
  sizes: number[],
  bundle = join(repoRoot, 'services/apiserver/dist/main.bundle.js'),
): Promise<ApiserverScaleSample[]> {
  const log = createLogger({ component: 'bench', level: 'silent' });
  await using nats = await startNatsServer();
  const eventLog = await connectEventLog({ servers: nats.url, name: 'bench-apiserver-scale', log });
  const dir = await mkdtemp(join(tmpdir(), 'kemu-apiserver-scale-'));
  let apiserver: ChildProcess | undefined;
  try {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
        ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
        ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      ],
      { stdio: 'ignore' },
    );
    await writeFile(join(dir, 'tokens.csv'), 'bench-token,admin,admin,"system:masters"\n');
    const port = await freePort();
    apiserver = spawn(process.execPath, [bundle], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        KEMU_NATS_URL: nats.url,
        KEMU_LOG_LEVEL: 'warn',
        KEMU_APISERVER_LISTEN: `127.0.0.1:${port}`,
        KEMU_APISERVER_CERT: join(dir, 'cert.pem'),
        KEMU_APISERVER_KEY: join(dir, 'key.pem'),
        KEMU_APISERVER_TOKEN_FILE: join(dir, 'tokens.csv'),
      },
    });
    const pid = apiserver.pid as number;
    const ca = await readFile(join(dir, 'cert.pem'), 'utf8');
    const get = apiGetter(`https://127.0.0.1:${port}`, ca, 'bench-token');
    const seen = async () => {
      const r = await get('/api/v1/namespaces/ns-0/pods?limit=1').catch(() => ({ status: 0, body: '' }));
      if (r.status !== 200) return 0;
      return Number((JSON.parse(r.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
    };
    await until('apiserver serves', 60_000, async () => (await seen()) > 0, 50);

    const samples: ApiserverScaleSample[] = [];
    let written = 0;
    for (const pods of [...sizes].sort((a, b) => a - b)) {
      let last = 0;
      for (let from = written; from < pods; from += 500) {
        const events: LogEvent[] = [];
        for (let i = from; i < Math.min(pods, from + 500); i++) {
          const pod = syntheticPod(i);
          // Written Pending, then Running: the watch history holds the change, as a real cluster's does.
          const pending = { ...pod, status: { phase: 'Pending' } } as KubeObject;
          events.push(put(keyOf('pods', pending), pending), put(keyOf('pods', pod), pod));
          for (const reason of ['Scheduled', 'Started']) {
            const e = syntheticEvent(pod, reason);
            events.push(put(keyOf('events', e), e));
          }
        }
        const acks = await Promise.all(events.map((e) => eventLog.js.publish(subjectFor(e.key), encodeEvent(e))));
        last = Math.max(last, ...acks.map((a) => a.seq));
      }
      written = pods;
      await until(`apiserver at seq ${last}`, 120_000, async () => (await seen()) >= last, 50);
      const rssRead = await rssMiB(pid);
      // Wall time (median) and the apiserver's CPU per call (its utime + stime over all rounds, steady under load).
      const measure = async (fn: () => Promise<void>): Promise<Figure> => {
        const wall: number[] = [];
        const cpu0 = await cpuSeconds(pid);
        for (let i = 0; i < ROUNDS; i++) wall.push(await timedMs(fn));
        return { ms: median(wall), cpuMs: (((await cpuSeconds(pid)) - cpu0) * 1000) / ROUNDS };
      };
      const whole = (accept?: string) => async () => {
        if ((await get('/api/v1/pods', accept)).status !== 200) throw new Error('list failed');
      };
      const paged = await measure(async () => {
        const n = await listPaginated(get, 500);
        if (n !== pods) throw new Error(`paged list: ${n} pods, not ${pods}`);
      });
      const json = await measure(whole());
      const table = await measure(whole(TABLE_ACCEPT));
      const rss = await rssMiB(pid);
      const f = (x: Figure) => `${x.ms.toFixed(0)} ms (${x.cpuMs.toFixed(0)} ms CPU)`;
      progress(
        `apiserver ${pods} pods: limit=500 pages ${f(paged)}, JSON ${f(json)}, Table ${f(table)}, RSS ${rssRead.toFixed(0)} MiB after reading the log, ${rss.toFixed(0)} MiB after the lists`,
      );
      samples.push({ pods, paged, json, table, rssReadMiB: rssRead, rssMiB: rss });
    }
    return samples;
  } finally {
    apiserver?.kill('SIGTERM');
    await eventLog.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The rows: each figure across sizes with its growth. */
export function apiserverScaleRows(samples: readonly ApiserverScaleSample[]): Row[] {
  const a = samples[0];
  const b = samples[samples.length - 1];
  if (!a || !b) return [];
  const sizes = samples.map((s) => `${s.pods / 1000}k`).join(' → ');
  const row = (figure: string, f: (s: ApiserverScaleSample) => number, unit: string, target?: string): Row => ({
    figure: `apiserver alone, ${sizes} synthetic pods: ${figure}`,
    value: samples.map((s) => `${f(s).toFixed(0)} ${unit}`).join(' → '),
    ratio: growthNote(a.pods, f(a), b.pods, f(b)),
    target,
  });
  return [
    row('list all pods, limit=500 pages', (s) => s.paged.ms, 'ms'),
    row('list all pods, limit=500 pages, apiserver CPU', (s) => s.paged.cpuMs, 'ms'),
    row('list all pods, JSON', (s) => s.json.ms, 'ms'),
    row('list all pods, JSON, apiserver CPU', (s) => s.json.cpuMs, 'ms'),
    row('list all pods, Table', (s) => s.table.ms, 'ms'),
    row('list all pods, Table, apiserver CPU', (s) => s.table.cpuMs, 'ms'),
    row('RSS after reading the log', (s) => s.rssReadMiB, 'MiB'),
    row('RSS after the lists', (s) => s.rssMiB, 'MiB', '≤ 300 MB at 10k'),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.argv[2] ?? '1000,3000,10000').split(',').map(Number);
  const progress = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const samples = await measureApiserverScaleSamples(progress, sizes, process.argv[3]);
  for (const r of apiserverScaleRows(samples)) process.stdout.write(`${r.figure}: ${r.value}  ${r.ratio ?? ''}\n`);
}
