/**
 * Pod startup: the time from the create request to the watch event that shows the pod
 * Ready (one pod at a time, then 100 created at once), and the memory a node pays per
 * pod process (average VmRSS of 100 idle workload processes, and of their containers'
 * monitors). A client-node watch is
 * opened before the creates, so no polling interval adds to the figures.
 */
import { CoreV1Api, KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type KemuCluster, startCluster } from '../kemu-cluster.js';
import { percentile } from './stats.js';
import type { Row } from './table.js';

const NS = 'default';

function podBody(name: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench-start' } },
    spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
  };
}

const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** A pod watch that resolves `readyAt(name)` with the time the pod was first seen Ready. */
async function watchReady(kc: KubeConfig): Promise<{ readyAt(name: string): Promise<number>; stop(): void }> {
  const seen = new Map<string, number>();
  const waiters = new Map<string, (t: number) => void>();
  const abort = await new Watch(kc).watch(
    `/api/v1/namespaces/${NS}/pods`,
    {},
    (_type, pod: V1Pod) => {
      const name = pod.metadata?.name ?? '';
      if (!isReady(pod) || seen.has(name)) return;
      const t = performance.now();
      seen.set(name, t);
      waiters.get(name)?.(t);
    },
    () => undefined,
  );
  return {
    readyAt(name) {
      const t = seen.get(name);
      if (t !== undefined) return Promise.resolve(t);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`pod ${name} not Ready within 120 s`)), 120_000);
        waiters.set(name, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    },
    stop: () => abort.abort(),
  };
}

async function vmRssKb(pid: number): Promise<number | undefined> {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const ms = (v: number) => `${Math.round(v)} ms`;

async function measure(
  cluster: KemuCluster,
  sequential: number,
  burst: number,
  progress: (msg: string) => void,
): Promise<{ rows: Row[]; samples: Record<string, number[]> }> {
  const kc = new KubeConfig();
  kc.loadFromFile(join(cluster.stateDir, 'kubeconfig'));
  const core = kc.makeApiClient(CoreV1Api);
  const watch = await watchReady(kc);
  try {
    progress(`pod startup: ${sequential} pods one at a time`);
    const one: number[] = [];
    for (let i = 1; i <= sequential; i++) {
      const name = `bench-one-${i}`;
      const t0 = performance.now();
      await core.createNamespacedPod({ namespace: NS, body: podBody(name) });
      one.push((await watch.readyAt(name)) - t0);
      await core.deleteNamespacedPod({ name, namespace: NS, gracePeriodSeconds: 0 });
    }

    progress(`pod startup: ${burst} pods at once`);
    const names = Array.from({ length: burst }, (_, i) => `bench-many-${i + 1}`);
    const many = await Promise.all(
      names.map(async (name) => {
        const t0 = performance.now();
        await core.createNamespacedPod({ namespace: NS, body: podBody(name) });
        return (await watch.readyAt(name)) - t0;
      }),
    );

    const list = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=bench-start' });
    const rss: number[] = [];
    for (const pod of list.items) {
      for (const c of pod.status?.containerStatuses ?? []) {
        const pid = Number((c.containerID ?? '').replace('kemu://', ''));
        const kb = pid > 0 ? await vmRssKb(pid) : undefined;
        if (kb !== undefined) rss.push(kb);
      }
    }
    const avgRssMb = rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length) / 1024;
    // Each container's monitor (kemu's shim: perl, the container's parent) is part of a pod's cost.
    const monitorRss: number[] = [];
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (!cmd.startsWith('kemu-monitor') || !cmd.includes(cluster.stateDir)) continue;
      const kb = await vmRssKb(Number(pid));
      if (kb !== undefined) monitorRss.push(kb);
    }
    const avgMonitorMb = monitorRss.reduce((a, b) => a + b, 0) / Math.max(1, monitorRss.length) / 1024;
    const rows: Row[] = [
      { figure: `pod apply→Ready, one at a time (p50, n=${sequential})`, value: ms(percentile(one, 50)) },
      { figure: 'pod apply→Ready, one at a time (p99)', value: ms(percentile(one, 99)), target: '≤ 300 ms' },
      { figure: `pod apply→Ready, ${burst} at once (p50)`, value: ms(percentile(many, 50)) },
      { figure: `pod apply→Ready, ${burst} at once (p99)`, value: ms(percentile(many, 99)) },
      { figure: `RSS per pod process (avg of ${rss.length})`, value: `${avgRssMb.toFixed(1)} MB` },
      { figure: `RSS per container monitor (avg of ${monitorRss.length})`, value: `${avgMonitorMb.toFixed(1)} MB` },
    ];
    return { rows, samples: { one, many, rssKb: rss } };
  } finally {
    watch.stop();
  }
}

/** Brings up a 3-node cluster and measures pod startup and RSS per pod; always tears it down. */
export async function measurePodStartup(
  progress: (msg: string) => void,
  sequential = 20,
  burst = 100,
): Promise<{ rows: Row[]; samples: Record<string, number[]> }> {
  progress('starting a 3-node cluster for pod startup');
  const cluster = await startCluster({ name: 'bpod', nodes: 3 });
  try {
    return await measure(cluster, sequential, burst, progress);
  } finally {
    await cluster.down();
  }
}
