/**
 * How the apiserver gets the numbers behind metrics.k8s.io: as metrics-server does, it
 * scrapes each node-agent's `/metrics/resource` (the kubelet's resource metrics), here on
 * demand when a client asks and through the node-agent's own dial stream (the path of
 * `nodes/<name>/proxy`), and turns two cumulative CPU samples into a rate. The samples of
 * each node are kept; when none is at least MIN_WINDOW_MS older than the new one, a
 * second scrape follows after MIN_WINDOW_MS, so the first `kubectl top` takes a second
 * and later ones reuse the earlier sample. Memory is the newest working set.
 */
import type { Node } from '@kemu/api';
import { type ResourceUsage, parseResourceMetrics } from '@kemu/metrics';
import type { NodeBus } from '@kemu/pod-streams';
import { request } from 'node:http';
import { dialThroughNode } from '../proxy/node-dial.js';

/** Usage rates of a node over a window. */
export interface NodeRates {
  node: string;
  /** End of the window (ms since the epoch). */
  timestampMs: number;
  windowMs: number;
  cpuCores: number;
  memoryBytes: number;
  /** By `namespace/pod`, then container: cores and bytes. */
  pods: Map<string, Map<string, { cpuCores: number; memoryBytes: number }>>;
}

/** Scrapes nodes for their rates. */
export interface ResourceScraper {
  /** Rates of the given nodes; nodes that cannot be scraped are left out (as metrics-server does). */
  rates(nodes: readonly Node[]): Promise<NodeRates[]>;
}

/** Shortest window a rate is computed over. */
export const MIN_WINDOW_MS = 1_000;
/** Samples older than this are not used as the start of a window. */
const MAX_WINDOW_MS = 5 * 60_000;
const SCRAPE_TIMEOUT_MS = 5_000;

/** Reads one node's `/metrics/resource` body (injected in tests). */
export type FetchResourceMetrics = (node: Node) => Promise<string>;

/** Reads `/metrics/resource` of a node-agent over its dial stream, at its kubelet endpoint. */
export function fetchThroughNodeBus(bus: NodeBus): FetchResourceMetrics {
  return async (node) => {
    const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (!address) throw new Error(`node ${node.metadata.name} has no InternalIP`);
    const endpoints = (node.status as { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } | undefined)
      ?.daemonEndpoints;
    const port = endpoints?.kubeletEndpoint?.Port ?? 10250;
    const conn = await dialThroughNode(bus, node.metadata.name, address, port);
    return new Promise<string>((resolve, reject) => {
      const req = request(
        {
          method: 'GET',
          path: '/metrics/resource',
          headers: { host: `${address}:${port}`, connection: 'close' },
          createConnection: () => conn as never,
          timeout: SCRAPE_TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(Buffer.concat(chunks).toString('utf8'))
              : reject(new Error(`node ${node.metadata.name} answered ${res.statusCode}`)),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('scrape timed out')));
      req.on('error', reject);
      req.end();
    });
  };
}

const containerKey = (c: { namespace: string; pod: string; container: string }) =>
  `${c.namespace}/${c.pod}/${c.container}`;

/** Rates between two samples of one node. */
export function ratesBetween(node: string, base: ResourceUsage, cur: ResourceUsage): NodeRates {
  const windowMs = cur.timestampMs - base.timestampMs;
  const rate = (now: number, then: number) => Math.max(0, (now - then) / (windowMs / 1000));
  const before = new Map(base.containers.map((c) => [containerKey(c), c]));
  const pods = new Map<string, Map<string, { cpuCores: number; memoryBytes: number }>>();
  for (const c of cur.containers) {
    const b = before.get(containerKey(c));
    let cpuCores: number;
    if (b && b.cpuSeconds <= c.cpuSeconds) cpuCores = rate(c.cpuSeconds, b.cpuSeconds);
    else if (c.startTime !== undefined && c.startTime * 1000 < cur.timestampMs)
      // Started (or restarted) inside the window: its whole usage over its life so far.
      cpuCores = c.cpuSeconds / ((cur.timestampMs - c.startTime * 1000) / 1000);
    else continue;
    const key = `${c.namespace}/${c.pod}`;
    const containers = pods.get(key) ?? new Map();
    containers.set(c.container, { cpuCores, memoryBytes: c.memoryBytes });
    pods.set(key, containers);
  }
  return {
    node,
    timestampMs: cur.timestampMs,
    windowMs,
    cpuCores: rate(cur.node.cpuSeconds, base.node.cpuSeconds),
    memoryBytes: cur.node.memoryBytes,
    pods,
  };
}

/** Creates a scraper keeping each node's recent samples. */
export function createResourceScraper(fetch: FetchResourceMetrics, now = Date.now): ResourceScraper {
  const samples = new Map<string, ResourceUsage[]>();
  const sample = async (node: Node) => {
    const usage = parseResourceMetrics(await fetch(node), now());
    const kept = (samples.get(node.metadata.name) ?? []).filter(
      (s) => usage.timestampMs - s.timestampMs <= MAX_WINDOW_MS,
    );
    samples.set(node.metadata.name, [...kept.slice(-3), usage]);
    return { usage, kept };
  };
  async function ratesOf(node: Node): Promise<NodeRates | undefined> {
    const name = node.metadata.name;
    const { usage, kept } = await sample(node);
    const base = kept.filter((s) => usage.timestampMs - s.timestampMs >= MIN_WINDOW_MS).at(-1);
    if (base) return ratesBetween(name, base, usage);
    await new Promise((r) => setTimeout(r, MIN_WINDOW_MS));
    const second = await sample(node);
    return ratesBetween(name, usage, second.usage);
  }
  return {
    async rates(nodes) {
      // Forget nodes not scraped for a while (deleted ones among them).
      for (const [name, kept] of samples) {
        if ((kept.at(-1)?.timestampMs ?? 0) < now() - MAX_WINDOW_MS) samples.delete(name);
      }
      const settled = await Promise.allSettled(nodes.map(ratesOf));
      return settled.flatMap((s) => (s.status === 'fulfilled' && s.value ? [s.value] : []));
    },
  };
}
