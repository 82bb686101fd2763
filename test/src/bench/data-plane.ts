/**
 * Data-plane figures: the same client pod (node-1) reaches the same backend pod
 * (node-2) directly, through kemu's ClusterIP (the node-1 proxy) and through haproxy in
 * tcp mode on the same hop (node-1's netns), in interleaved rounds so drift hits all
 * three alike. Run once per proxy mode: in nftables mode the ClusterIP hop is the node's
 * kernel (DNAT), measured against direct in its own cluster (haproxy only beside userspace).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type KemuCluster, runCommand, startCluster } from '../kemu-cluster.js';
import { median } from './stats.js';
import type { Row } from './table.js';
import { runBulk, runWrk } from './wrk.js';
import type { ProxyMode } from '../proxy-modes.js';

/** Ratio targets of the ClusterIP path per mode (issue 16): userspace keeps its floor, nftables is the kernel's. */
const CLUSTER_IP_GOALS: Record<ProxyMode, { bulk: string; keepAlive: string; churn: string; latency: string }> = {
  userspace: { bulk: '≥ 0.5', keepAlive: '≥ 0.66', churn: '≥ 0.5', latency: '≤ 50 µs' },
  nftables: { bulk: '≥ 0.95', keepAlive: '≥ 0.9', churn: '≥ 0.9', latency: '≤ 10 µs' },
};

const BULK_BYTES = 512 * 1024 * 1024;
/** The bench Service, its backend pod on node-2 and the client pod on node-1. */
export const manifest = `apiVersion: v1
kind: Service
metadata:
  name: bench-svc
spec:
  selector:
    app: bench-web
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: bench-web
  labels:
    app: bench-web
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
  name: bench-client
spec:
  nodeName: node-1
  containers:
  - name: client
    image: nginx
    ports:
    - containerPort: 8080
`;

type Target = 'direct' | 'kemu' | 'haproxy';
/** haproxy's port on node-1: in the NodePort range, the only node ports the pod fence lets pods open. */
const HAPROXY_PORT = 30080;
const ALL_TARGETS: Target[] = ['direct', 'kemu', 'haproxy'];

interface Samples {
  bulk: Record<Target, number[]>;
  keepAlive: Record<Target, number[]>;
  churn: Record<Target, number[]>;
  latency: Record<Target, number[]>;
}

function empty(): Record<Target, number[]> {
  return { direct: [], kemu: [], haproxy: [] };
}

/** The netns of a pod, as the node-agent names it. */
export function podNetns(cluster: string, uid: string): string {
  return `kemu-${cluster}-pod-${uid.replaceAll('-', '').slice(0, 12)}`;
}

interface PodInfo {
  metadata: { name: string; uid: string };
  status: { podIP?: string; hostIP?: string; conditions?: { type: string; status: string }[] };
}

/** Waits until the named pods are Ready and returns them by name. */
export async function waitReady(cluster: KemuCluster, names: string[]): Promise<Map<string, PodInfo>> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const list = JSON.parse(await cluster.kubectlOk(['get', 'pods', '-o', 'json'])) as { items: PodInfo[] };
    const ready = new Map(
      list.items
        .filter((p) => names.includes(p.metadata.name))
        .filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        .map((p) => [p.metadata.name, p]),
    );
    if (ready.size === names.length) return ready;
    if (Date.now() > deadline) throw new Error(`pods not ready: ${names.join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Measures bulk, keep-alive, churn and latency, then the kill-to-removal figure. */
export async function measureDataPlane(
  progress: (msg: string) => void,
  rounds: number,
  kills: number,
  killToRemoval: (
    cluster: KemuCluster,
    kills: number,
    progress: (msg: string) => void,
    label?: string,
  ) => Promise<{ rows: Row[]; samples: number[] }>,
  proxyMode: ProxyMode = 'userspace',
): Promise<{ rows: Row[]; samples: Record<string, unknown> }> {
  const name = proxyMode === 'userspace' ? 'bench' : 'bnft';
  progress(`starting a 3-node cluster "${name}" (${proxyMode} proxy mode)`);
  const cluster = await startCluster({ name, nodes: 3, proxyMode });
  const targets = proxyMode === 'userspace' ? ALL_TARGETS : ALL_TARGETS.filter((t) => t !== 'haproxy');
  const kemuName = proxyMode === 'userspace' ? 'kemu' : 'kemu nftables';
  const goal = CLUSTER_IP_GOALS[proxyMode];
  let haproxy: ReturnType<typeof spawn> | undefined;
  try {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest });
    const pods = await waitReady(cluster, ['bench-web', 'bench-client']);
    const web = pods.get('bench-web')!;
    const client = pods.get('bench-client')!;
    const clusterIP = (await cluster.kubectlOk(['get', 'svc', 'bench-svc', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const nodeIP = client.status.hostIP ?? '';
    const netns = podNetns(cluster.name, client.metadata.uid);

    // wrk's Connection: close leaves every client port in TIME_WAIT; without reuse the
    // 28k-port default range runs dry after a round and the next one measures the wait.
    // Same settings where both proxies dial from (node-1), so all three paths are alike.
    const portRange = (ns: string, range: string) =>
      runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `net.ipv4.ip_local_port_range=${range}`]);
    for (const ns of [netns, `kemu-${cluster.name}-node-1`]) {
      await runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.tcp_tw_reuse=1']);
      await portRange(ns, '1024 65000');
    }
    // The server closes first, so its TIME_WAITs hold (client pod IP:port, backend:8080).
    // In nftables mode the ClusterIP path reaches the backend from that same address (no
    // SNAT) but with other TCP timestamps (their offset hashes the destination the client
    // dialled), so a port reused across paths meets a TIME_WAIT with newer timestamps: the
    // SYN is dropped (TcpExtPAWSTimewait) and retransmitted a second later, more each
    // round. The kernel would do the same to any client mixing both paths; here each
    // path gets its own half of the client's ports so that it measures the path alone.
    const clientPorts: Record<Target, string> = { direct: '1024 32767', kemu: '32768 65000', haproxy: '32768 65000' };

    if (targets.includes('haproxy')) {
      const cfg = join(cluster.stateDir, 'haproxy.cfg');
      await writeFile(
        cfg,
        `global\n  maxconn 4000\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\nlisten bench\n  bind ${nodeIP}:${HAPROXY_PORT}\n  server web ${web.status.podIP}:8080\n`,
      );
      haproxy = spawn('ip', ['netns', 'exec', `kemu-${cluster.name}-node-1`, 'haproxy', '-db', '-f', cfg], {
        stdio: 'ignore',
      });
      await new Promise((r) => setTimeout(r, 500));
      if (haproxy.exitCode !== null) throw new Error(`haproxy exited with ${haproxy.exitCode} (config ${cfg})`);
    }

    const base: Record<Target, string> = {
      direct: `http://${web.status.podIP}:8080`,
      kemu: `http://${clusterIP}:80`,
      haproxy: `http://${nodeIP}:${HAPROXY_PORT}`,
    };
    const s: Samples = { bulk: empty(), keepAlive: empty(), churn: empty(), latency: empty() };
    for (let round = 1; round <= rounds; round++) {
      for (const t of targets) {
        await portRange(netns, clientPorts[t]);
        s.bulk[t].push(await runBulk(netns, `${base[t]}/bytes/${BULK_BYTES}`));
        s.keepAlive[t].push((await runWrk(netns, `${base[t]}/`, { connections: 10, seconds: 3 })).requestsPerSecond);
        s.churn[t].push(
          (await runWrk(netns, `${base[t]}/`, { connections: 10, seconds: 3, close: true })).requestsPerSecond,
        );
        s.latency[t].push((await runWrk(netns, `${base[t]}/`, { connections: 1, seconds: 2 })).p50Micros);
      }
      progress(`data-plane round ${round}/${rounds} done (${proxyMode})`);
    }

    const rows: Row[] = [];
    const ratioRows = (
      name: string,
      unit: (v: number) => string,
      data: Record<Target, number[]>,
      kemuTarget: string,
    ) => {
      const direct = median(data.direct);
      for (const t of targets) {
        const m = median(data[t]);
        rows.push({
          figure: `${name}, ${t === 'kemu' ? kemuName : t}${t === 'direct' && proxyMode !== 'userspace' ? ` (${proxyMode} cluster)` : ''}`,
          value: unit(m),
          ratio: t === 'direct' ? '1.00' : (m / direct).toFixed(2),
          target: t === 'kemu' ? kemuTarget : '',
        });
      }
    };
    ratioRows('bulk throughput', (v) => `${(v / 1e6).toFixed(0)} MB/s`, s.bulk, goal.bulk);
    ratioRows('keep-alive requests (10 conns)', (v) => `${v.toFixed(0)} req/s`, s.keepAlive, goal.keepAlive);
    ratioRows('new-connection requests (10 conns)', (v) => `${v.toFixed(0)} req/s`, s.churn, goal.churn);
    const lat = { direct: median(s.latency.direct), kemu: median(s.latency.kemu), haproxy: median(s.latency.haproxy) };
    rows.push({ figure: `p50 latency, direct (1 conn, ${proxyMode} cluster)`, value: `${lat.direct.toFixed(0)} µs` });
    rows.push({
      figure: `added p50 latency per hop, ${kemuName}`,
      value: `${(lat.kemu - lat.direct).toFixed(0)} µs`,
      target: goal.latency,
    });
    if (targets.includes('haproxy')) {
      rows.push({ figure: 'added p50 latency per hop, haproxy', value: `${(lat.haproxy - lat.direct).toFixed(0)} µs` });
    }

    const kill = await killToRemoval(cluster, kills, progress, proxyMode);
    rows.push(...kill.rows);
    return { rows, samples: { ...s, killToRemovalMs: kill.samples } };
  } finally {
    haproxy?.kill('SIGKILL');
    await cluster.down();
  }
}
