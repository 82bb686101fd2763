/**
 * The data-plane cost of flow recording: two clusters side by side, one with
 * KEMU_PROXY_FLOWS=false, one with it on, the same client pod (node-1) → ClusterIP →
 * backend pod (node-2) path in each, measured in interleaved rounds so drift hits both
 * alike. Figures: keep-alive and new-connection requests, recording on against off, per
 * proxy mode: the userspace proxy records from its sockets, the nftables mode from the
 * node netns's conntrack events (a `conntrack -E` reader and counter listings in the
 * proxy process, beside a data plane that stays in the kernel).
 */
import { type KemuCluster, runCommand, startCluster } from '../kemu-cluster.js';
import type { ProxyMode } from '../proxy-modes.js';
import { manifest, podNetns, waitReady } from './data-plane.js';
import { recordingCpuMs } from './recording-cpu.js';
import { median } from './stats.js';
import type { Row } from './table.js';
import { runWrk } from './wrk.js';

type Mode = 'off' | 'on';

interface Path {
  cluster: KemuCluster;
  netns: string;
  url: string;
}

async function preparePath(cluster: KemuCluster): Promise<Path> {
  await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest });
  const pods = await waitReady(cluster, ['bench-web', 'bench-client']);
  const client = pods.get('bench-client');
  if (!client) throw new Error('bench-client is not ready');
  const clusterIP = (await cluster.kubectlOk(['get', 'svc', 'bench-svc', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  const netns = podNetns(cluster.name, client.metadata.uid);
  for (const ns of [netns, `kemu-${cluster.name}-node-1`]) {
    await runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.tcp_tw_reuse=1']);
    await runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_local_port_range=1024 65000']);
  }
  return { cluster, netns, url: `http://${clusterIP}:80/` };
}

/** Measures keep-alive and new-connection rates through the proxy with flow recording off and on. */
export async function measureFlowOverhead(
  progress: (msg: string) => void,
  rounds: number,
  proxyMode: ProxyMode = 'userspace',
): Promise<{ rows: Row[]; samples: Record<string, Record<Mode, number[]>> }> {
  progress(`starting two 2-node clusters (${proxyMode} proxy mode): flow recording off and on`);
  const prefix = proxyMode === 'userspace' ? 'fl' : 'nf';
  const clusters: Record<Mode, KemuCluster> = {
    off: await startCluster({ name: `${prefix}of`, nodes: 2, proxyMode, env: { KEMU_PROXY_FLOWS: 'false' } }),
    on: await startCluster({ name: `${prefix}on`, nodes: 2, proxyMode, env: { KEMU_PROXY_FLOWS: 'true' } }),
  };
  try {
    const paths: Record<Mode, Path> = { off: await preparePath(clusters.off), on: await preparePath(clusters.on) };
    const keepAlive: Record<Mode, number[]> = { off: [], on: [] };
    const churn: Record<Mode, number[]> = { off: [], on: [] };
    // CPU ms of recording per 1000 new connections, in the client's node netns (where DNAT happens).
    const cpuPer1000: number[] = [];
    const node1 = `kemu-${clusters.on.name}-node-1`;
    for (let round = 1; round <= rounds; round++) {
      const order: Mode[] = round % 2 === 1 ? ['off', 'on'] : ['on', 'off'];
      for (const m of order) {
        const p = paths[m];
        keepAlive[m].push((await runWrk(p.netns, p.url, { connections: 10, seconds: 3 })).requestsPerSecond);
        const cpu0 = m === 'on' ? await recordingCpuMs(node1) : 0;
        const rps = (await runWrk(p.netns, p.url, { connections: 10, seconds: 3, close: true })).requestsPerSecond;
        churn[m].push(rps);
        // The listing that serves the last closed connections runs up to a second after wrk ends.
        if (m === 'on') {
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          cpuPer1000.push(((await recordingCpuMs(node1)) - cpu0) / ((rps * 3) / 1000));
        }
      }
      progress(`flow-recording round ${round}/${rounds} (${proxyMode}) done`);
    }
    const rows: Row[] = [];
    const pair = (name: string, data: Record<Mode, number[]>) => {
      const off = median(data.off);
      const on = median(data.on);
      const kemu = proxyMode === 'userspace' ? 'kemu' : `kemu ${proxyMode}`;
      rows.push({ figure: `${name}, ${kemu}, flows off`, value: `${off.toFixed(0)} req/s`, ratio: '1.00' });
      rows.push({
        figure: `${name}, ${kemu}, flows on${proxyMode === 'nftables' ? ' (conntrack)' : ''}`,
        value: `${on.toFixed(0)} req/s`,
        ratio: (on / off).toFixed(3),
        target: '≥ 0.95',
      });
    };
    pair('keep-alive requests (10 conns)', keepAlive);
    pair('new-connection requests (10 conns)', churn);
    if (proxyMode === 'nftables') {
      rows.push({
        figure: 'flow recording CPU per 1000 new connections, nftables (proxy + conntrack, client node)',
        value: `${median(cpuPer1000).toFixed(0)} ms`,
      });
    }
    return { rows, samples: { keepAlive, churn, cpuPer1000: { off: [], on: cpuPer1000 } } };
  } finally {
    await clusters.off.down();
    await clusters.on.down();
  }
}
