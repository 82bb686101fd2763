/**
 * The growth table (issue 17): one cluster of 3 real nodes (cordoned) and enough hollow
 * nodes, grown through the given pod counts (Services = pods / 10, those beyond the two
 * measured ones select nothing). At each size: apiserver lists of all pods, `kubectl get
 * pods -A`, the growth Deployment's scale-up to Ready and the controller's CPU per 1000 pods
 * started, one endpoint removal → gone from every real proxy, a 1000-pod Service's
 * EndpointSlices filled from a scale-up and the log's append rate meanwhile, each
 * component's RSS, and the apiserver's start-up after a SIGKILL (its supervisor restarts
 * it from the snapshot). Each figure's note gives the exponent between sizes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type KemuCluster, runCommand, startCluster } from '../kemu-cluster.js';
import {
  type ApiGet,
  TABLE_ACCEPT,
  apiGetter,
  componentRss,
  cpuSeconds,
  listPaginated,
  proxyEndpoints,
  timedMs,
  until,
} from './growth-probes.js';
import { apiserverRestartMs } from './growth-restart.js';
import { median, percentile } from './stats.js';

/** A 1000-pod Service's rollout is the reconcile and append-rate figure at every size. */
const RECON = 1000;

/** Figures at one size. */
export interface GrowthSample {
  pods: number;
  services: number;
  /** Seconds from scaling the growth Deployment up to all its pods Ready. */
  growthS: number;
  /** Controller CPU seconds per 1000 pods started, over the growth and the 1000-pod rollout. */
  controllerCpuPer1000: number;
  listJsonMs: number;
  listTableMs: number;
  listPagedMs: number;
  /** The apiserver's CPU per paged list: steady where the wall time follows the machine's load. */
  listPagedCpuMs: number;
  kubectlMs: number;
  proxyP50Ms: number;
  proxyP99Ms: number;
  reconcileS: number;
  appendPerS: number;
  rssMiB: Record<string, number>;
  startupMs: number;
}

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
    },
  },
});
const service = (name: string, app: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] },
});
const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

/** Ready endpoint addresses in a Service's EndpointSlices. */
async function sliceAddresses(get: ApiGet, svc: string): Promise<string[]> {
  const r = await get(
    `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${svc}`,
  );
  const slices = JSON.parse(r.body) as {
    items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[];
  };
  return slices.items.flatMap((s) =>
    (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses),
  );
}

/** Ready replicas of a Deployment (0 before any). */
async function readyReplicas(cluster: KemuCluster, name: string): Promise<number> {
  const r = await cluster.kubectl(['get', 'deployment', name, '-o', 'jsonpath={.status.readyReplicas}']);
  return Number(r.stdout || 0);
}

const resourceVersion = async (get: ApiGet) =>
  Number(
    (
      JSON.parse((await get('/api/v1/namespaces/default/pods?limit=1')).body) as {
        metadata: { resourceVersion: string };
      }
    ).metadata.resourceVersion,
  );

async function measureSize(
  cluster: KemuCluster,
  get: ApiGet,
  nodeIps: string[],
  pods: number,
  progress: (m: string) => void,
): Promise<GrowthSample> {
  const services = Math.max(2, Math.round(pods / 10));
  const extra = Array.from({ length: services - 2 }, (_, i) => service(`idle-${i}`, `idle-${i}`));
  await cluster.kubectlOk(['apply', '-f', '-'], { input: list(extra) });
  await cluster.kubectlOk(['scale', 'deployment/recon', '--replicas=0']);
  await until('recon slices empty', 300_000, async () => (await sliceAddresses(get, 'recon')).length === 0, 500);
  const controllerPid = Object.entries(await cluster.pids()).find(
    ([name]) => name === 'controller' || name.startsWith('controller-'),
  )?.[1];
  const cpu0 = await cpuSeconds(controllerPid);
  const started = pods - RECON - (await readyReplicas(cluster, 'growth')) + RECON;
  const g0 = Date.now();
  await cluster.kubectlOk(['scale', 'deployment/growth', `--replicas=${pods - RECON}`]);
  await until(
    `${pods - RECON} growth pods Ready`,
    1_200_000,
    async () => (await readyReplicas(cluster, 'growth')) >= pods - RECON,
    1000,
  );
  const growthS = (Date.now() - g0) / 1000;
  const rv0 = await resourceVersion(get);
  const t0 = Date.now();
  await cluster.kubectlOk(['scale', 'deployment/recon', `--replicas=${RECON}`]);
  await until('recon slices full', 600_000, async () => (await sliceAddresses(get, 'recon')).length >= RECON, 100);
  const reconcileS = (Date.now() - t0) / 1000;
  const appendPerS = ((await resourceVersion(get)) - rv0) / reconcileS;
  const controllerCpuPer1000 = ((await cpuSeconds(controllerPid)) - cpu0) / (started / 1000);
  progress(
    `growth ${pods}: growth pods Ready in ${growthS.toFixed(1)} s, ${RECON}-pod Service sliced in ${reconcileS.toFixed(1)} s, log ${appendPerS.toFixed(0)} events/s, controller ${controllerCpuPer1000.toFixed(1)} CPU s per 1000 pods`,
  );

  const rounds = async (n: number, fn: () => Promise<unknown>) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(await timedMs(fn));
    return out;
  };
  const ok = async (p: Promise<{ status: number }>) => {
    if ((await p).status !== 200) throw new Error('list failed');
  };
  const listJsonMs = median(await rounds(3, () => ok(get('/api/v1/pods'))));
  const listTableMs = median(await rounds(3, () => ok(get('/api/v1/pods', TABLE_ACCEPT))));
  const apiserverPid = (await cluster.pids()).apiserver as number;
  const apiCpu0 = await cpuSeconds(apiserverPid);
  const listPagedMs = median(await rounds(3, () => listPaginated(get, 500)));
  const listPagedCpuMs = (((await cpuSeconds(apiserverPid)) - apiCpu0) * 1000) / 3;
  const kubectlMs = median(await rounds(3, () => cluster.kubectlOk(['get', 'pods', '-A'])));
  progress(
    `growth ${pods}: list JSON ${listJsonMs.toFixed(0)} ms, Table ${listTableMs.toFixed(0)} ms, paged ${listPagedMs.toFixed(0)} ms (${listPagedCpuMs.toFixed(0)} ms apiserver CPU), kubectl ${kubectlMs.toFixed(0)} ms`,
  );

  // One endpoint removal: a recon pod deleted, timed until its IP left every real proxy.
  const proxyMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await get(`/api/v1/namespaces/default/pods?labelSelector=app%3Drecon&limit=${i + 1}`);
    const pod = (JSON.parse(r.body) as { items: { metadata: { name: string }; status: { podIP?: string } }[] }).items[
      i
    ];
    if (!pod?.status.podIP) throw new Error('no recon pod with an IP');
    const ip = `${pod.status.podIP}:`;
    const start = Date.now();
    const del = runCommand('kubectl', ['delete', 'pod', pod.metadata.name, '--wait=false'], {
      env: { KUBECONFIG: join(cluster.stateDir, 'kubeconfig') },
    });
    await Promise.all(
      nodeIps.map((nodeIp) =>
        until(
          `${ip} gone from ${nodeIp}`,
          60_000,
          async () => {
            const eps = await proxyEndpoints(nodeIp, 'recon');
            const gone = ![...eps].some((e) => e.startsWith(ip));
            if (gone) proxyMs.push(Date.now() - start);
            return gone;
          },
          50,
        ),
      ),
    );
    await del;
  }
  const rssMiB = await componentRss(await cluster.pids());

  const startupMs = await apiserverRestartMs(cluster, get);
  progress(
    `growth ${pods}: proxy p50 ${median(proxyMs)} ms p99 ${percentile(proxyMs, 99)} ms, apiserver start ${startupMs} ms, RSS ${JSON.stringify(rssMiB)}`,
  );
  return {
    pods,
    services,
    growthS,
    controllerCpuPer1000,
    listJsonMs,
    listTableMs,
    listPagedMs,
    listPagedCpuMs,
    kubectlMs,
    proxyP50Ms: median(proxyMs),
    proxyP99Ms: percentile(proxyMs, 99),
    reconcileS,
    appendPerS,
    rssMiB,
    startupMs,
  };
}

/** Grows one cluster through `sizes` pods and measures each size. */
export async function measureGrowthSamples(progress: (m: string) => void, sizes: number[]): Promise<GrowthSample[]> {
  const max = Math.max(...sizes);
  const cluster = await startCluster({ name: 'bgro', nodes: 3, hollowNodes: Math.ceil(max / 90) });
  try {
    const config = JSON.parse(await readFile(join(cluster.stateDir, 'cluster.json'), 'utf8')) as {
      apiserverPort: number;
      token: string;
    };
    const ca = await readFile(join(cluster.stateDir, 'pki', 'ca.crt'), 'utf8');
    const get = apiGetter(`https://127.0.0.1:${config.apiserverPort}`, ca, config.token);
    const nodeIps: string[] = [];
    for (const n of ['node-1', 'node-2', 'node-3']) {
      await cluster.kubectlOk(['cordon', n]);
      nodeIps.push(
        await cluster.kubectlOk([
          'get',
          'node',
          n,
          '-o',
          'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}',
        ]),
      );
    }
    const base = [
      deployment('growth', 0),
      deployment('recon', 0),
      service('growth', 'growth'),
      service('recon', 'recon'),
    ];
    await cluster.kubectlOk(['apply', '-f', '-'], { input: list(base) });
    const samples: GrowthSample[] = [];
    for (const pods of [...sizes].sort((a, b) => a - b))
      samples.push(await measureSize(cluster, get, nodeIps, pods, progress));
    return samples;
  } finally {
    await cluster.down();
  }
}
