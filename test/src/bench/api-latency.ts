/**
 * Control-plane figures of the apiserver on a 1-node cluster, over its real HTTPS port
 * with the admin token: list latency with 1,000 pods (as a server-side Table, as
 * kubectl get asks, and as a plain JSON PodList), and watch fan-out — the time until
 * each of 20 concurrent `kubectl get pods -w` prints a change. The 1,000 pods are bound
 * to a node that does not exist, so nothing runs them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { startCluster } from '../kemu-cluster.js';
import { median, percentile } from './stats.js';
import type { Row } from './table.js';

const MERGE_PATCH = 'application/merge-patch+json';
const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

interface Api {
  call(
    method: string,
    path: string,
    body?: unknown,
    accept?: string,
    contentType?: string,
  ): Promise<{ status: number; bytes: number }>;
}

function apiClient(server: string, ca: string, token: string): Api {
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca });
  return {
    call(method, path, body, accept = 'application/json', contentType = 'application/json') {
      return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept };
        if (data) headers['content-type'] = contentType;
        const req = request(`${server}${path}`, { method, agent, headers }, (res) => {
          let bytes = 0;
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        });
        req.on('error', reject);
        req.end(data);
      });
    },
  };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const ms = (samples: number[]) => `${median(samples).toFixed(1)} ms (p95 ${percentile(samples, 95).toFixed(1)} ms)`;

/** Creates `count` pods through the apiserver, `parallel` requests at a time. */
async function createPods(api: Api, count: number, parallel: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `bulk-${i}`, labels: { app: 'bulk' } },
        spec: { nodeName: 'no-such-node', containers: [{ name: 'app', image: 'nginx' }] },
      };
      const r = await api.call('POST', '/api/v1/namespaces/bulk/pods', pod);
      if (r.status !== 201) throw new Error(`creating bulk-${i}: HTTP ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** Starts `kubectl get pods -w` and resolves when its output contains `text`. */
function watcher(env: NodeJS.ProcessEnv): { child: ChildProcess; waitFor(text: RegExp): Promise<number> } {
  const child = spawn('kubectl', ['get', 'pods', '-n', 'fanout', '-w', '--show-labels'], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  const waiters: { re: RegExp; resolve: (t: number) => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      if (w.re.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(performance.now());
      }
    }
  });
  return {
    child,
    // Bounded, so a watch that never shows the change fails the bench instead of hanging it.
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        if (re.test(out)) return resolve(performance.now());
        const timer = setTimeout(() => reject(new Error(`kubectl get -w did not print ${re} within 30 s`)), 30_000);
        waiters.push({
          re,
          resolve: (t) => {
            clearTimeout(timer);
            resolve(t);
          },
        });
      }),
  };
}

/** Runs the apiserver figures; `rounds` list requests per form, `fanoutRounds` changes seen by 20 watchers. */
export async function measureApiserver(
  progress: (msg: string) => void,
  rounds = 30,
  fanoutRounds = 5,
): Promise<{ rows: Row[]; samples: Record<string, number[]> }> {
  const cluster = await startCluster({ name: 'bapi', nodes: 1 });
  const watchers: ChildProcess[] = [];
  try {
    const config = JSON.parse(await readFile(join(cluster.stateDir, 'cluster.json'), 'utf8')) as {
      apiserverPort: number;
      token: string;
    };
    const ca = await readFile(join(cluster.stateDir, 'pki', 'ca.crt'), 'utf8');
    const api = apiClient(`https://127.0.0.1:${config.apiserverPort}`, ca, config.token);
    await cluster.kubectlOk(['create', 'namespace', 'bulk']);
    await cluster.kubectlOk(['create', 'namespace', 'fanout']);

    const createMs = await timed(() => createPods(api, 1000, 16));
    progress(`created 1000 pods in ${(createMs / 1000).toFixed(2)} s`);
    const path = '/api/v1/namespaces/bulk/pods?limit=500';
    const table: number[] = [];
    const json: number[] = [];
    let tableBytes = 0;
    let jsonBytes = 0;
    for (let i = 0; i < rounds; i++) {
      table.push(await timed(async () => (tableBytes = (await api.call('GET', path, undefined, TABLE_ACCEPT)).bytes)));
      json.push(await timed(async () => (jsonBytes = (await api.call('GET', path)).bytes)));
    }
    const kubectlGet: number[] = [];
    for (let i = 0; i < 5; i++) kubectlGet.push(await timed(() => cluster.kubectlOk(['get', 'pods', '-n', 'bulk'])));
    progress(`list 1000 pods: Table ${ms(table)}, JSON ${ms(json)}, kubectl get ${ms(kubectlGet)}`);

    // A node-agent's status write if it went through the apiserver (as the kubelet's does)
    // instead of straight to the log: the figure docs/subject-layout.md weighs.
    const statusPatch: number[] = [];
    for (let i = 0; i < 200; i++) {
      const patch = { status: { phase: 'Running', podIP: `10.244.9.${i % 250}` } };
      const path = `/api/v1/namespaces/bulk/pods/bulk-${i}/status`;
      let status = 0;
      statusPatch.push(
        await timed(async () => (status = (await api.call('PATCH', path, patch, undefined, MERGE_PATCH)).status)),
      );
      if (status !== 200) throw new Error(`status patch: HTTP ${status}`);
    }
    progress(`pod status through the apiserver: ${ms(statusPatch)}`);

    await cluster.kubectlOk(['run', 'watched', '-n', 'fanout', '--image=nginx', '--restart=Never']);
    const env = {
      ...process.env,
      KUBECONFIG: join(cluster.stateDir, 'kubeconfig'),
      KUBECACHEDIR: join(cluster.home, 'kube-cache'),
    };
    const ws = Array.from({ length: 20 }, () => watcher(env));
    watchers.push(...ws.map((w) => w.child));
    await Promise.all(ws.map((w) => w.waitFor(/\nwatched\s/)));
    await new Promise((r) => setTimeout(r, 1_000));
    const fanout: number[] = [];
    const slowest: number[] = [];
    for (let i = 0; i < fanoutRounds; i++) {
      // A label change prints one more row for the pod, with the new label, in every watch.
      const seen = ws.map((w) => w.waitFor(new RegExp(`round=${i}\\b`)));
      const t0 = performance.now();
      const patch = { metadata: { labels: { round: String(i) } } };
      const r = await api.call('PATCH', '/api/v1/namespaces/fanout/pods/watched', patch, undefined, MERGE_PATCH);
      if (r.status !== 200) throw new Error(`label patch: HTTP ${r.status}`);
      const times = (await Promise.all(seen)).map((t) => t - t0);
      fanout.push(...times);
      slowest.push(Math.max(...times));
      await new Promise((r) => setTimeout(r, 1_500));
    }
    progress(`watch fan-out to 20 kubectl get -w: each ${ms(fanout)}, slowest of 20 ${ms(slowest)}`);
    return {
      rows: [
        { figure: `apiserver list 1000 pods, Table (${(tableBytes / 1024).toFixed(0)} KiB)`, value: ms(table) },
        { figure: `apiserver list 1000 pods, JSON (${(jsonBytes / 1024).toFixed(0)} KiB)`, value: ms(json) },
        { figure: 'kubectl get pods, 1000 pods (process wall time)', value: ms(kubectlGet) },
        { figure: 'create 1000 pods via apiserver (16 in flight)', value: `${(createMs / 1000).toFixed(2)} s` },
        {
          figure: 'pod status PATCH through the apiserver, p50 / p99',
          value: `${median(statusPatch).toFixed(2)} / ${percentile(statusPatch, 99).toFixed(2)} ms`,
        },
        { figure: 'watch fan-out: change seen by each of 20 get -w', value: ms(fanout) },
        { figure: 'watch fan-out: slowest of 20 get -w', value: ms(slowest) },
      ],
      samples: { table, json, kubectlGet, statusPatch, fanout, slowest },
    };
  } finally {
    for (const w of watchers) w.kill('SIGKILL');
    await cluster.down();
  }
}
