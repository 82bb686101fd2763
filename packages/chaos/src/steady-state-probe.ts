/**
 * The steady-state probe as the runner drives it: checks the probed Service exists (and
 * finds its port and the cluster DNS address, the kube-dns ClusterIP a pod's resolv.conf
 * names) through the apiserver, leaves the name itself to the cluster DNS (the worker
 * resolves `<svc>.<ns>.svc.cluster.local` per TTL), makes sure a client pod `chaos-probe` runs on the
 * chosen node, and runs probe-worker.js inside that pod's netns (`ip netns exec`, as
 * `kemu exec` does), collecting the JSON lines it streams back.
 */
import { APP_NAME_LABEL } from '@kemu/api';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { netnsExists, podNetnsName } from '@kemu/netns';
import { ChaosApiError } from './errors.js';
import { type ChaosCluster, type ChaosPod, isPodReady } from './chaos-cluster.js';
import { FaultFailedError } from './errors.js';
import type { SteadyState } from './experiment.js';
import type { ProbeRecord, ProbeWorkerOptions } from './probe-worker.js';

/** Name of the client pod the probe runs in. */
export const PROBE_POD = 'chaos-probe';

/** The cluster DNS Service, and its address when it has none (Kubernetes' usual 10.96.0.10). */
const KUBE_DNS = { namespace: 'kube-system', name: 'kube-dns', defaultIP: '10.96.0.10' };

/** The Service the probe targets. */
export interface ProbeTarget {
  namespace: string;
  service: string;
  /** The ClusterIP when the run started (the worker looks it up through `dnsServer` itself). */
  clusterIP: string;
  /** `<svc>.<ns>.svc.cluster.local`, the name the worker resolves. */
  dnsName: string;
  /** The cluster DNS address (the kube-dns ClusterIP). */
  dnsServer: string;
  port: number;
  path: string;
  hostHeader: string;
}

/** Resolves `http://<svc>[.<ns>[.svc[.cluster.local]]][:port]/path` to the Service's ClusterIP and port. */
export async function resolveProbeTarget(
  cluster: ChaosCluster,
  url: string,
  defaultNamespace: string,
): Promise<ProbeTarget> {
  const u = new URL(url);
  const parts = u.hostname.split('.');
  const service = parts[0] as string;
  const namespace = parts[1] && parts[1] !== 'svc' ? parts[1] : defaultNamespace;
  let svc: { spec: { clusterIP?: string; ports?: { port: number }[] } };
  try {
    svc = await cluster.api('GET', `/api/v1/namespaces/${namespace}/services/${service}`);
  } catch (err) {
    if (err instanceof ChaosApiError && err.status === 404) {
      throw new FaultFailedError(`spec.steadyState.url: service ${namespace}/${service} does not exist`);
    }
    throw err;
  }
  const port = u.port ? Number(u.port) : (svc.spec.ports?.[0]?.port ?? 80);
  if (!svc.spec.clusterIP || svc.spec.clusterIP === 'None') {
    throw new FaultFailedError(`spec.steadyState.url: service ${namespace}/${service} has no ClusterIP`);
  }
  const dns = await cluster
    .api<{ spec: { clusterIP?: string } }>('GET', `/api/v1/namespaces/${KUBE_DNS.namespace}/services/${KUBE_DNS.name}`)
    .catch(() => undefined);
  return {
    namespace,
    service,
    clusterIP: svc.spec.clusterIP,
    dnsName: `${service}.${namespace}.svc.cluster.local`,
    dnsServer: dns?.spec.clusterIP || KUBE_DNS.defaultIP,
    port,
    path: `${u.pathname}${u.search}`,
    hostHeader: u.host,
  };
}

async function getPod(cluster: ChaosCluster, ns: string, name: string): Promise<ChaosPod | undefined> {
  try {
    return await cluster.api<ChaosPod>('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
  } catch (err) {
    if (err instanceof ChaosApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** Makes sure the `chaos-probe` pod runs on `node`; returns it and whether this call created it. */
export async function ensureProbePod(
  cluster: ChaosCluster,
  namespace: string,
  node: string,
  timeoutMs = 60_000,
): Promise<{ pod: ChaosPod; created: boolean }> {
  let pod = await getPod(cluster, namespace, PROBE_POD);
  let created = false;
  if (pod && (pod.spec.nodeName !== node || pod.metadata.deletionTimestamp)) {
    throw new FaultFailedError(
      `pod ${namespace}/${PROBE_POD} exists on ${pod.spec.nodeName ?? '?'} (wanted ${node}); delete it first`,
    );
  }
  if (!pod) {
    await cluster.api('POST', `/api/v1/namespaces/${namespace}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: PROBE_POD, namespace, labels: { [APP_NAME_LABEL]: PROBE_POD } },
      spec: {
        nodeName: node,
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'probe', image: 'busybox', command: ['sleep', '86400'] }],
      },
    });
    created = true;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    pod = await getPod(cluster, namespace, PROBE_POD);
    if (pod && isPodReady(pod) && (await netnsExists(podNetnsName(cluster.name, pod.metadata.uid)))) {
      return { pod, created };
    }
    if (Date.now() > deadline) throw new FaultFailedError(`pod ${namespace}/${PROBE_POD} not Ready within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Deletes the probe pod at once. */
export async function deleteProbePod(cluster: ChaosCluster, namespace: string): Promise<void> {
  await cluster
    .api('DELETE', `/api/v1/namespaces/${namespace}/pods/${PROBE_POD}?gracePeriodSeconds=0`)
    .catch(() => undefined);
}

/** A running probe. */
export interface RunningProbe {
  records: ProbeRecord[];
  /** Resolves when the worker has exited (all requests finished). */
  done: Promise<void>;
  stop(): void;
}

/** Starts probe-worker.js in the pod's netns for `durationMs`. */
export function startProbe(
  cluster: ChaosCluster,
  pod: ChaosPod,
  target: ProbeTarget,
  s: SteadyState,
  durationMs: number,
): RunningProbe {
  const worker = fileURLToPath(new URL('./probe-worker.js', import.meta.url));
  const options: ProbeWorkerOptions = {
    host: target.clusterIP,
    dns: { server: target.dnsServer, name: target.dnsName },
    port: target.port,
    path: target.path,
    hostHeader: target.hostHeader,
    rate: s.rate,
    durationMs,
    timeoutMs: s.timeoutMs,
    runId: randomBytes(4).toString('hex'),
  };
  const netns = podNetnsName(cluster.name, pod.metadata.uid);
  const child: ChildProcess = spawn('ip', ['netns', 'exec', netns, process.execPath, worker, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: ProbeRecord[] = [];
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-2000);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  lines.on('line', (line) => {
    if (line.startsWith('{')) records.push(JSON.parse(line) as ProbeRecord);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new FaultFailedError(`cannot start the probe: ${err.message}`)));
    child.once('exit', (code, sig) => {
      lines.close();
      if (code === 0 || sig === 'SIGTERM') resolve();
      else reject(new FaultFailedError(`the probe exited with ${sig ?? code}: ${stderr.trim()}`));
    });
  });
  return { records, done, stop: () => child.kill('SIGTERM') };
}
