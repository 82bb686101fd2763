/**
 * Hollow nodes at scale (issue 17): `kemu up --nodes 3 --hollow-nodes 100` timed to every
 * Node Ready, then a 1000-replica Deployment on the hollow nodes (the real ones cordoned)
 * timed from apply to 1000 Ready replicas, with the hollow-node-agent's RSS (one process
 * for all 100 nodes) before and after.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@kemu/testkit';
import { repoRoot, runCommand } from '../kemu-cluster.js';
import { median } from './stats.js';
import type { Row } from './table.js';

const HOLLOW = 100;
const REPLICAS = 1000;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hollow-web
spec:
  replicas: ${REPLICAS}
  selector:
    matchLabels: { app: hollow-web }
  template:
    metadata:
      labels: { app: hollow-web }
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 8080
`;

/** VmRSS of a process in MiB. */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** CPU seconds (user + system) a process has used. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One run: up with hollow nodes, then the Deployment; seconds and MiB. */
async function runOnce(
  home: string,
): Promise<{ upS: number; podsS: number; rssIdle: number; rssPods: number; cpuPodsS: number }> {
  const env = { KEMU_HOME: home };
  // A fresh name each run: the subnet is a hash of it, and other clusters may hold one.
  const name = `bhol${randomBytes(2).toString('hex')}`;
  const kemu = (args: string[], timeoutMs = 180_000) => runCommand(join(repoRoot, 'kemu'), args, { env, timeoutMs });
  const kubeconfig = join(home, name, 'kubeconfig');
  const kubectl = (args: string[], input?: string) =>
    runCommand('kubectl', args, { env: { KUBECONFIG: kubeconfig }, input, timeoutMs: 60_000 });
  const port = String(await freePort());
  try {
    const started = process.hrtime.bigint();
    const up = await kemu([
      'up',
      '--nodes',
      '3',
      '--hollow-nodes',
      String(HOLLOW),
      '--name',
      name,
      '--apiserver-port',
      port,
    ]);
    const upS = Number(process.hrtime.bigint() - started) / 1e9;
    if (up.code !== 0) throw new Error(`kemu up --hollow-nodes failed: ${up.stderr}`);
    const pids = JSON.parse(await readFile(join(home, name, 'pids.json'), 'utf8')) as Record<string, number>;
    const hollowPid = pids['hollow-node-agent'] as number;
    const rssIdle = await rssMiB(hollowPid);
    const cpuBefore = await cpuSeconds(hollowPid);
    for (const n of ['node-1', 'node-2', 'node-3']) await kubectl(['cordon', n]);
    const applied = process.hrtime.bigint();
    const apply = await kubectl(['apply', '-f', '-'], deployment);
    if (apply.code !== 0) throw new Error(`kubectl apply failed: ${apply.stderr}`);
    const deadline = Date.now() + 300_000;
    for (;;) {
      const r = await kubectl(['get', 'deployment', 'hollow-web', '-o', 'jsonpath={.status.readyReplicas}']);
      if (Number(r.stdout) >= REPLICAS) break;
      if (Date.now() > deadline) throw new Error(`only ${r.stdout || 0} of ${REPLICAS} hollow pods Ready after 300 s`);
      await new Promise((res) => setTimeout(res, 250));
    }
    const podsS = Number(process.hrtime.bigint() - applied) / 1e9;
    const cpuPodsS = (await cpuSeconds(hollowPid)) - cpuBefore;
    return { upS, podsS, rssIdle, rssPods: await rssMiB(hollowPid), cpuPodsS };
  } finally {
    await kemu(['down', '--name', name]);
  }
}

/** Runs the hollow-scale measurement `runs` times and reports medians. */
export async function measureHollow(
  progress: (msg: string) => void,
  runs: number,
): Promise<{ rows: Row[]; samples: Awaited<ReturnType<typeof runOnce>>[] }> {
  const home = await mkdtemp(join(tmpdir(), 'kemu-bench-hollow-'));
  const samples: Awaited<ReturnType<typeof runOnce>>[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const s = await runOnce(home);
      samples.push(s);
      progress(
        `hollow run ${i + 1}/${runs}: up ${s.upS.toFixed(2)} s, ${REPLICAS} pods Ready ${s.podsS.toFixed(2)} s (hollow CPU ${s.cpuPodsS.toFixed(1)} s), RSS ${s.rssIdle.toFixed(0)} → ${s.rssPods.toFixed(0)} MiB`,
      );
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  const med = (f: (s: (typeof samples)[number]) => number) => median(samples.map(f));
  return {
    rows: [
      {
        figure: `kemu up --nodes 3 --hollow-nodes ${HOLLOW}: all Nodes Ready`,
        value: `${med((s) => s.upS).toFixed(2)} s`,
      },
      {
        figure: `${REPLICAS} hollow pods (Deployment) apply → all Ready`,
        value: `${med((s) => s.podsS).toFixed(2)} s`,
      },
      {
        figure: `hollow-node-agent CPU for ${REPLICAS} pods to Ready`,
        value: `${med((s) => s.cpuPodsS).toFixed(1)} s`,
      },
      {
        figure: `hollow-node-agent RSS, ${HOLLOW} nodes (idle / ${REPLICAS} pods)`,
        value: `${med((s) => s.rssIdle).toFixed(0)} / ${med((s) => s.rssPods).toFixed(0)} MiB`,
      },
    ],
    samples,
  };
}
