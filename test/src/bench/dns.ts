/**
 * DNS figures: queries per second and p99 of kemu's dns server (dns-node-1, as deployed,
 * query log on) against dnsmasq (Debian's dnsmasq-base, benchmark only) answering the same
 * name on a loopback address of the same node netns, with the same load generator
 * (dns-load.ts: one UDP socket, OUTSTANDING queries in flight) run in that netns; then
 * the same load from a pod on node-1, directly to the node-1 dns and through the kube-dns
 * ClusterIP (the node proxy's UDP path). Rounds are interleaved so drift hits all alike.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type KemuCluster, runCommand, startCluster } from '../kemu-cluster.js';
import { podNetns, waitReady } from './data-plane.js';
import type { LoadResult } from './dns-load.js';
import { median } from './stats.js';
import type { Row } from './table.js';
import type { ProxyMode } from '../proxy-modes.js';

const NAME = 'web-service.default.svc.cluster.local';
const CLUSTER_DNS = '10.96.0.10';
const loadScript = fileURLToPath(new URL('./dns-load.js', import.meta.url));

const manifest = `apiVersion: v1
kind: Service
metadata:
  name: web-service
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  nodeName: node-2
  containers:
  - name: web
    image: nginx
    ports:
    - containerPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: dns-client
spec:
  nodeName: node-1
  containers:
  - name: client
    image: nginx
`;

type Target = 'dnsmasq' | 'kemu' | 'direct' | 'clusterIP';

async function ensureDnsmasq(progress: (msg: string) => void): Promise<void> {
  if ((await runCommand('sh', ['-c', 'command -v dnsmasq'])).code === 0) return;
  // dnsmasq-base is the binary alone; the dnsmasq package would also start a system resolver.
  progress('installing dnsmasq-base (apt-get)');
  const install =
    'apt-get install -y -qq dnsmasq-base >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq dnsmasq-base)';
  const r = await runCommand('sh', ['-c', install], { timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`cannot install dnsmasq-base: ${r.stderr}`);
}

async function load(netns: string, host: string, seconds: number, outstanding: number): Promise<LoadResult> {
  const r = await runCommand(
    'ip',
    ['netns', 'exec', netns, process.execPath, loadScript, host, '53', String(seconds), String(outstanding), NAME],
    { timeoutMs: (seconds + 30) * 1000 },
  );
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.code !== 0 || !line.startsWith('{')) throw new Error(`dns load against ${host} failed: ${r.stderr}`);
  return JSON.parse(line) as LoadResult;
}

async function dnsEndpointsReady(cluster: KemuCluster): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const out = await cluster.kubectl(['get', 'endpoints', '-n', 'kube-system', 'kube-dns', '-o', 'json']);
    const ips = new Set(
      ((JSON.parse(out.stdout || '{}') as { subsets?: { addresses?: { ip: string }[] }[] }).subsets ?? []).flatMap(
        (s) => (s.addresses ?? []).map((a) => a.ip),
      ),
    );
    if (ips.size >= 2) return;
    if (Date.now() > deadline) throw new Error('kube-dns has no two endpoints');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Measures the dns server against dnsmasq, and the ClusterIP path against going directly. */
export async function measureDns(
  progress: (msg: string) => void,
  rounds: number,
  seconds = 3,
  outstanding = 64,
  proxyMode: ProxyMode = 'userspace',
): Promise<{ rows: Row[]; samples: Record<string, unknown> }> {
  await ensureDnsmasq(progress);
  // In nftables mode only the pod's two paths are measured: the dns server rows do not depend on the mode.
  const only: Target[] | undefined = proxyMode === 'userspace' ? undefined : ['direct', 'clusterIP'];
  const name = proxyMode === 'userspace' ? 'bdns' : 'bdnf';
  progress(`starting a 3-node cluster "${name}" (${proxyMode} proxy mode) for the dns figures`);
  const cluster = await startCluster({ name, nodes: 3, proxyMode });
  let dnsmasq: ChildProcess | undefined;
  try {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest });
    const pods = await waitReady(cluster, ['web', 'dns-client']);
    await dnsEndpointsReady(cluster);
    const client = pods.get('dns-client')!;
    const nodeIP = client.status.hostIP ?? '';
    const nodeNetns = `kemu-${cluster.name}-node-1`;
    const clientNetns = podNetns(cluster.name, client.metadata.uid);
    const webIP = (await cluster.kubectlOk(['get', 'svc', 'web-service', '-o', 'jsonpath={.spec.clusterIP}'])).trim();

    dnsmasq = spawn(
      'ip',
      [
        'netns',
        'exec',
        nodeNetns,
        'dnsmasq',
        '--keep-in-foreground',
        '--conf-file=/dev/null',
        '--no-resolv',
        '--no-hosts',
        '--listen-address=127.0.0.2',
        '--bind-interfaces',
        '--port=53',
        '--pid-file=',
        '--log-facility=/dev/null',
        `--host-record=${NAME},${webIP}`,
      ],
      { stdio: 'ignore' },
    );
    await new Promise((r) => setTimeout(r, 500));
    if (dnsmasq.exitCode !== null) throw new Error(`dnsmasq exited with ${dnsmasq.exitCode}`);
    for (const [ns, server] of [
      [nodeNetns, '127.0.0.2'],
      [nodeNetns, nodeIP],
      [clientNetns, CLUSTER_DNS],
    ] as const) {
      const r = await runCommand('ip', ['netns', 'exec', ns, 'dig', '+short', '+time=2', `@${server}`, NAME]);
      if (r.stdout.trim() !== webIP) throw new Error(`${server} does not answer ${NAME}: ${r.stdout}${r.stderr}`);
    }

    const where: Record<Target, [string, string]> = {
      dnsmasq: [nodeNetns, '127.0.0.2'],
      kemu: [nodeNetns, nodeIP],
      direct: [clientNetns, nodeIP],
      clusterIP: [clientNetns, CLUSTER_DNS],
    };
    const samples: Record<Target, LoadResult[]> = { dnsmasq: [], kemu: [], direct: [], clusterIP: [] };
    const targets = (Object.keys(where) as Target[]).filter((t) => !only || only.includes(t));
    for (let round = 1; round <= rounds; round++) {
      for (const t of targets) {
        const [ns, host] = where[t];
        samples[t].push(await load(ns, host, seconds, outstanding));
      }
      progress(
        `dns round ${round}/${rounds} (${proxyMode}): ${targets.map((t) => `${t} ${samples[t].at(-1)?.qps.toFixed(0)} q/s`).join(', ')}`,
      );
    }

    const qps = (t: Target) => median(samples[t].map((s) => s.qps));
    const p99 = (t: Target) => median(samples[t].map((s) => s.p99Micros));
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    if (only) {
      const rows: Row[] = [
        {
          figure: `dns queries/s from a pod, direct to dns-node-1 (${proxyMode} cluster)`,
          value: `${qps('direct').toFixed(0)} q/s`,
          ratio: '1.00',
        },
        {
          figure: `dns queries/s from a pod, via ClusterIP 10.96.0.10 (${proxyMode}: kernel DNAT)`,
          value: `${qps('clusterIP').toFixed(0)} q/s`,
          ratio: ratio(qps('clusterIP'), qps('direct')),
          target: '≥ 0.8',
        },
        {
          figure: `dns p99 latency from a pod, via ClusterIP (${proxyMode})`,
          value: `${p99('clusterIP').toFixed(0)} µs`,
        },
      ];
      return { rows, samples };
    }
    const rows: Row[] = [
      {
        figure: 'dns queries/s, dnsmasq (node netns, loopback)',
        value: `${qps('dnsmasq').toFixed(0)} q/s`,
        ratio: '1.00',
      },
      {
        figure: 'dns queries/s, kemu dns (node IP, query log on; ratio to dnsmasq)',
        value: `${qps('kemu').toFixed(0)} q/s`,
        ratio: ratio(qps('kemu'), qps('dnsmasq')),
        target: '≥ 0.6',
      },
      { figure: `dns p99 latency, dnsmasq (${outstanding} in flight)`, value: `${p99('dnsmasq').toFixed(0)} µs` },
      { figure: `dns p99 latency, kemu dns (${outstanding} in flight)`, value: `${p99('kemu').toFixed(0)} µs` },
      {
        figure: 'dns queries/s from a pod, direct to dns-node-1',
        value: `${qps('direct').toFixed(0)} q/s`,
        ratio: '1.00',
      },
      {
        figure: 'dns queries/s from a pod, via ClusterIP 10.96.0.10 (proxy UDP)',
        value: `${qps('clusterIP').toFixed(0)} q/s`,
        ratio: ratio(qps('clusterIP'), qps('direct')),
      },
      { figure: 'dns p99 latency from a pod, direct', value: `${p99('direct').toFixed(0)} µs` },
      { figure: 'dns p99 latency from a pod, via ClusterIP', value: `${p99('clusterIP').toFixed(0)} µs` },
    ];
    return { rows, samples };
  } finally {
    dnsmasq?.kill('SIGTERM');
    await cluster.down();
  }
}
