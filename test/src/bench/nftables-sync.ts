/**
 * nftables sync time with 1000 Services programmed: a 1-node cluster in nftables mode,
 * 1000 Services selecting one pod, then one Service changed at a time. Read from the
 * proxy's own "nftables rules synced" log lines (full or partial, statements, time spent
 * rendering and planning and in nft), so no polling skews it: the partial sync one
 * change causes, the periodic full resync of the same table, and the time from starting
 * the change's `kubectl patch` to its commit.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type KemuCluster, startCluster } from '../kemu-cluster.js';
import { waitReady } from './data-plane.js';
import { median } from './stats.js';
import type { Row } from './table.js';

interface SyncLine {
  time: string;
  msg: string;
  full?: boolean;
  statements?: number;
  planMs?: number;
  nftMs?: number;
}

const CHANGES = 5;
/** A full resync every 10 s instead of 30 s, so the run sees a few. */
const SYNC_PERIOD_MS = 10_000;

function manifest(services: number): string {
  const docs = [
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bsync-web\n  labels:\n    app: bsync-web\nspec:\n  containers:\n  - name: web\n    image: nginx\n',
  ];
  for (let i = 0; i < services; i++) {
    docs.push(
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: bsync-${i}\nspec:\n  selector:\n    app: bsync-web\n  ports:\n    - port: 80\n      targetPort: 8080\n`,
    );
  }
  return docs.join('---\n');
}

async function syncLines(cluster: KemuCluster, since: number): Promise<SyncLine[]> {
  const text = await readFile(join(cluster.stateDir, 'logs', 'proxy-node-1.log'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.includes('nftables rules synced'))
    .map((l) => JSON.parse(l) as SyncLine)
    .filter((l) => Date.parse(l.time) >= since);
}

async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Programs `services` Services and times partial syncs of one change and full resyncs. */
export async function measureNftablesSync(
  progress: (msg: string) => void,
  services = 1000,
): Promise<{ rows: Row[]; samples: Record<string, number[]> }> {
  progress(`starting a 1-node cluster "bsyn" (nftables) for the sync time with ${services} Services`);
  const cluster = await startCluster({
    name: 'bsyn',
    nodes: 1,
    proxyMode: 'nftables',
    env: { KEMU_PROXY_SYNC_PERIOD_MS: String(SYNC_PERIOD_MS) },
  });
  try {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest(services) });
    await waitReady(cluster, ['bsync-web']);
    await waitFor(`${services} Services in service-ips`, 180_000, async () => {
      const r = await cluster.kemu([
        'exec',
        '--node',
        'node-1',
        '--',
        'nft',
        'list',
        'map',
        'ip',
        'kube-proxy',
        'service-ips',
      ]);
      return (r.stdout.match(/goto service-[A-Z2-7]{8}-default\/bsync-/g)?.length ?? 0) >= services ? true : undefined;
    });
    progress(`${services} Services programmed`);

    const partial: number[] = [];
    const partialNft: number[] = [];
    const statements: number[] = [];
    const toCommit: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const t0 = Date.now();
      await cluster.kubectlOk([
        'patch',
        'svc',
        `bsync-${i}`,
        '--type=merge',
        '-p',
        `{"spec":{"ports":[{"port":${81 + i},"targetPort":8080}]}}`,
      ]);
      const line = await waitFor(`the sync of change ${i + 1}`, 30_000, async () =>
        (await syncLines(cluster, t0)).find((l) => l.full === false),
      );
      partial.push((line.planMs ?? 0) + (line.nftMs ?? 0));
      partialNft.push(line.nftMs ?? 0);
      statements.push(line.statements ?? 0);
      toCommit.push(Date.parse(line.time) - t0);
    }
    const since = Date.now();
    const fulls = await waitFor('two full resyncs', 3 * SYNC_PERIOD_MS + 30_000, async () => {
      const f = (await syncLines(cluster, since)).filter((l) => l.full === true);
      return f.length >= 2 ? f : undefined;
    });
    const full = fulls.map((l) => (l.planMs ?? 0) + (l.nftMs ?? 0));
    progress('nftables sync times measured');
    return {
      rows: [
        {
          figure: `nftables sync of 1 Service change, ${services} Services programmed (partial, ${median(statements)} statements)`,
          value: `${median(partial).toFixed(0)} ms (nft ${median(partialNft).toFixed(0)} ms)`,
        },
        { figure: `nftables full resync, ${services} Services programmed`, value: `${median(full).toFixed(0)} ms` },
        {
          figure: `Service change to committed rules, ${services} Services (kubectl patch started → nft commit)`,
          value: `${median(toCommit).toFixed(0)} ms`,
        },
      ],
      samples: { partial, partialNft, full, toCommit },
    };
  } finally {
    await cluster.down();
  }
}
