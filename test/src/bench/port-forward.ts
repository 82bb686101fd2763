/**
 * Bulk download through `kubectl port-forward` against the same download from inside
 * the cluster (the client pod curling the pod's IP): the ratio is what the relay costs
 * (kubectl → WebSocket/SPDY → apiserver → NATS → node-agent → its socket in the pod's netns).
 * Rounds alternate the two paths so machine drift hits both.
 */
import { join } from 'node:path';
import { startKubectl } from '../background-kubectl.js';
import { repoRoot, runCommand, startCluster } from '../kemu-cluster.js';
import { median } from './stats.js';
import type { Row } from './table.js';

const BYTES = 100_000_000;

const mbps = (bytesPerSecond: number) => `${(bytesPerSecond / 1e6).toFixed(0)} MB/s`;

function speedOf(stdout: string): number {
  const [size, speed] = stdout.trim().split(' ').map(Number);
  if (size !== BYTES || !speed) throw new Error(`bulk download incomplete: ${stdout}`);
  return speed;
}

/** Measures the port-forward download rate and its ratio to the in-cluster one. */
export async function measurePortForward(
  progress: (msg: string) => void,
  rounds: number,
): Promise<{ rows: Row[]; samples: Record<string, number[]> }> {
  const cluster = await startCluster({ name: 'bnpf', nodes: 2 });
  const direct: number[] = [];
  const forwarded: number[] = [];
  try {
    await cluster.kubectlOk(['apply', '-f', join(repoRoot, 'infra/examples/web.yaml')]);
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/web-pod-1', 'pod/client', '--timeout=55s']);
    const podIP = (await cluster.kubectlOk(['get', 'pod', 'web-pod-1', '-o', 'jsonpath={.status.podIP}'])).trim();
    const forward = startKubectl(cluster, ['port-forward', 'pod/web-pod-1', ':8080']);
    try {
      const port = Number((await forward.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 8080/))[1]);
      const curl = ['curl', '-sS', '-o', '/dev/null', '-w', '%{size_download} %{speed_download}'];
      for (let round = 1; round <= rounds; round++) {
        const inside = await cluster.exec('client', [...curl, `http://${podIP}:8080/bytes/${BYTES}`], {
          timeoutMs: 120_000,
        });
        direct.push(speedOf(inside.stdout));
        const through = await runCommand(
          curl[0] as string,
          [...curl.slice(1), `http://127.0.0.1:${port}/bytes/${BYTES}`],
          { timeoutMs: 120_000 },
        );
        forwarded.push(speedOf(through.stdout));
        progress(`port-forward round ${round}/${rounds} done`);
      }
    } finally {
      await forward.stop();
    }
  } finally {
    await cluster.down();
  }
  const d = median(direct);
  const f = median(forwarded);
  return {
    rows: [
      { figure: 'bulk download inside the cluster (client pod → pod IP, 100 MB)', value: mbps(d) },
      {
        figure: 'bulk download through kubectl port-forward (100 MB)',
        value: mbps(f),
        ratio: `${((f / d) * 100).toFixed(1)} %`,
      },
    ],
    samples: { directBytesPerSecond: direct, portForwardBytesPerSecond: forwarded },
  };
}
