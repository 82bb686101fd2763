/**
 * Pod startup: the time from the create request to the watch event that shows the pod
 * Ready (the first pod after `kemu up` apart, then one pod at a time, then 100 created at
 * once), and the memory a node pays per
 * pod: the average of 100 idle workload processes and of their containers' monitors, as
 * RSS and as PSS (smaps_rollup: pages shared by many pods, the node binary's text first,
 * are split among them, so PSS is what each pod really adds). A client-node watch is
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

/** A process's resident memory (VmRSS) and proportional set size (Pss of smaps_rollup), in kB. */
async function memoryKb(pid: number): Promise<{ rss: number; pss: number } | undefined> {
  try {
    const rss = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    const pss = /^Pss:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return rss && pss ? { rss: Number(rss[1]), pss: Number(pss[1]) } : undefined;
  } catch {
    return undefined;
  }
}

/** The average RSS and PSS of `samples`, in MB. */
function averageMb(samples: { rss: number; pss: number }[]): { rss: number; pss: number } {
  const avg = (k: 'rss' | 'pss') => samples.reduce((a, m) => a + m[k], 0) / Math.max(1, samples.length) / 1024;
  return { rss: avg('rss'), pss: avg('pss') };
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
    // The first pod after `kemu up` pays the warm-up (image lookups, JIT of the code paths), as
    // the first pod of an image on a fresh node pays its pull: reported apart, not in the samples.
    progress('pod startup: the first pod of a fresh cluster');
    const firstT0 = performance.now();
    await core.createNamespacedPod({ namespace: NS, body: podBody('bench-first') });
    const first = (await watch.readyAt('bench-first')) - firstT0;
    await core.deleteNamespacedPod({ name: 'bench-first', namespace: NS, gracePeriodSeconds: 0 });

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
    const pods: { rss: number; pss: number }[] = [];
    for (const pod of list.items) {
      for (const c of pod.status?.containerStatuses ?? []) {
        const pid = Number((c.containerID ?? '').replace('kemu://', ''));
        const m = pid > 0 ? await memoryKb(pid) : undefined;
        if (m) pods.push(m);
      }
    }
    // Each container's monitor (kemu's shim: perl, the container's parent) is part of a pod's cost.
    const monitors: { rss: number; pss: number }[] = [];
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (!cmd.startsWith('kemu-monitor') || !cmd.includes(cluster.stateDir)) continue;
      const m = await memoryKb(Number(pid));
      if (m) monitors.push(m);
    }
    const pod = averageMb(pods);
    const monitor = averageMb(monitors);
    const mb = (v: number) => `${v.toFixed(1)} MB`;
    const rows: Row[] = [
      { figure: 'pod apply→Ready, the first pod after kemu up', value: ms(first) },
      { figure: `pod apply→Ready, one at a time (p50, n=${sequential})`, value: ms(percentile(one, 50)) },
      { figure: 'pod apply→Ready, one at a time (p99)', value: ms(percentile(one, 99)), target: '≤ 300 ms' },
      { figure: `pod apply→Ready, ${burst} at once (p50)`, value: ms(percentile(many, 50)) },
      { figure: `pod apply→Ready, ${burst} at once (p99)`, value: ms(percentile(many, 99)) },
      { figure: `RSS per pod process (avg of ${pods.length})`, value: mb(pod.rss) },
      { figure: `RSS per container monitor (avg of ${monitors.length})`, value: mb(monitor.rss) },
      { figure: 'PSS per pod process', value: mb(pod.pss) },
      { figure: 'PSS per container monitor', value: mb(monitor.pss) },
      { figure: 'PSS per pod (process + monitor)', value: mb(pod.pss + monitor.pss), target: '≤ 15 MB' },
    ];
    return {
      rows,
      samples: {
        first: [first],
        one,
        many,
        rssKb: pods.map((m) => m.rss),
        pssKb: pods.map((m) => m.pss),
        monitorPssKb: monitors.map((m) => m.pss),
      },
    };
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
