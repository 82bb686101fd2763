/**
 * Kill-to-removal: the time from `kill -9` of a pod's process to the moment the last of
 * the cluster's proxies stops using its endpoint, read from the proxies' own log lines
 * ("setting endpoints for service port", pino time in ms) so that no polling skews it.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KemuCluster } from '../kemu-cluster.js';
import { waitReady } from './data-plane.js';
import { percentile } from './stats.js';
import type { Row } from './table.js';

function manifest(n: number): string {
  const docs = [
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: bench-kill\nspec:\n  selector:\n    app: bench-kill\n  ports:\n    - port: 80\n      targetPort: 8080\n',
  ];
  for (let i = 1; i <= n; i++) {
    docs.push(
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: bench-kill-${i}\n  labels:\n    app: bench-kill\nspec:\n  restartPolicy: Never\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerPort: 8080\n`,
    );
  }
  return docs.join('---\n');
}

interface ProxyLine {
  time: string;
  msg: string;
  servicePort?: string;
  endpoints?: unknown;
}

async function proxyLogs(stateDir: string): Promise<string[]> {
  const dir = join(stateDir, 'logs');
  return (await readdir(dir)).filter((f) => f.startsWith('proxy')).map((f) => join(dir, f));
}

/** The time (ms) at which the proxy logging to `file` dropped `ip` from bench-kill, if it has. */
async function removalTime(file: string, ip: string, since: number): Promise<number | undefined> {
  const text = await readFile(file, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.includes('bench-kill') || !line.includes('setting endpoints')) continue;
    const entry = JSON.parse(line) as ProxyLine;
    const t = Date.parse(entry.time);
    if (t < since) continue;
    if (!JSON.stringify(entry.endpoints ?? []).includes(`${ip}:`)) return t;
  }
  return undefined;
}

/** Kills `kills` pods one by one and reports p50/p99 of kill-to-removal from every proxy. */
export async function measureKillToRemoval(
  cluster: KemuCluster,
  kills: number,
  progress: (msg: string) => void,
  label = 'userspace',
): Promise<{ rows: Row[]; samples: number[] }> {
  await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest(kills) });
  const names = Array.from({ length: kills }, (_, i) => `bench-kill-${i + 1}`);
  const pods = await waitReady(cluster, names);
  await new Promise((r) => setTimeout(r, 2000));
  const files = await proxyLogs(cluster.stateDir);
  const samples: number[] = [];
  for (const name of names) {
    const out = await cluster.kubectlOk([
      'get',
      'pod',
      name,
      '-o',
      'jsonpath={.status.containerStatuses[0].containerID}',
    ]);
    const pid = Number(out.trim().replace('kemu://', ''));
    const ip = pods.get(name)?.status.podIP ?? '';
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    const deadline = t0 + 10_000;
    let last = 0;
    for (const file of files) {
      for (;;) {
        const t = await removalTime(file, ip, t0);
        if (t !== undefined) {
          last = Math.max(last, t);
          break;
        }
        if (Date.now() > deadline) throw new Error(`${name} (${ip}) not removed by ${file} within 10 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    samples.push(last - t0);
  }
  progress(`kill-to-removal: ${samples.length} kills`);
  return {
    rows: [
      {
        figure: `kill -9 to removal from every proxy, p50 (${samples.length} kills, ${label})`,
        value: `${percentile(samples, 50)} ms`,
      },
      {
        figure: `kill -9 to removal from every proxy, p99 (${samples.length} kills, ${label})`,
        value: `${percentile(samples, 99)} ms`,
        target: '≤ 100 ms',
      },
    ],
    samples,
  };
}
