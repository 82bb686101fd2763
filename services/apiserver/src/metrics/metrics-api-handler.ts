/**
 * metrics.k8s.io/v1beta1 answers — NodeMetrics and PodMetrics, their lists, label
 * selectors — as metrics-server builds them: CPU in nanocores, memory in Ki, the
 * window the rate was taken over, and only objects it has numbers for (a pod whose
 * containers have no samples yet is left out; a single one asked for is a 404).
 * Always JSON: kubectl asks for protobuf first and accepts JSON, which metrics-server's
 * answers are not (it has no protobuf for these types either).
 */
import { type Node, type Pod, badRequest, matchesLabelSelector, notFound, parseLabelSelector } from '@kemu/api';
import { listObjects } from '@kemu/eventlog';
import type { ApiContext } from '../context.js';
import { METRICS_GROUP, METRICS_VERSION, type MetricsApiRoute } from './metrics-api-route.js';
import type { NodeRates, ResourceScraper } from './resource-scraper.js';

const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

const quantity = (cpuCores: number, memoryBytes: number) => ({
  cpu: `${Math.round(cpuCores * 1e9)}n`,
  memory: `${Math.round(memoryBytes / 1024)}Ki`,
});
const stamp = (r: NodeRates) => ({
  timestamp: new Date(r.timestampMs).toISOString(),
  window: `${(r.windowMs / 1000).toFixed(3)}s`,
});

function selected<T extends Pod | Node>(items: T[], query: URLSearchParams): T[] {
  const text = query.get('labelSelector');
  if (!text) return items;
  let selector: ReturnType<typeof parseLabelSelector>;
  try {
    selector = parseLabelSelector(text);
  } catch (err) {
    throw badRequest(`unable to parse requirement: ${(err as Error).message}`);
  }
  return items.filter((o) => matchesLabelSelector(selector, o.metadata.labels));
}

function metadataOf(o: Pod | Node): Record<string, unknown> {
  return {
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    creationTimestamp: new Date().toISOString(),
    ...(o.metadata.labels ? { labels: o.metadata.labels } : {}),
  };
}

/** The NodeMetrics or PodMetrics (list) a route asks for. */
export async function metricsApiObject(
  ctx: ApiContext,
  scraper: ResourceScraper,
  route: MetricsApiRoute,
  query: URLSearchParams,
): Promise<Record<string, unknown>> {
  const view = ctx.informer.view;
  if (route.resource === 'nodes') {
    const all = listObjects(view, 'nodes');
    const nodes = route.name ? all.filter((n) => n.metadata.name === route.name) : selected(all, query);
    const rates = new Map((await scraper.rates(nodes)).map((r) => [r.node, r]));
    const items = nodes.flatMap((n) => {
      const r = rates.get(n.metadata.name);
      return r ? [{ metadata: metadataOf(n), ...stamp(r), usage: quantity(r.cpuCores, r.memoryBytes) }] : [];
    });
    if (route.name) {
      const item = items[0];
      if (!item) throw notFound('nodes', route.name, METRICS_GROUP);
      return { kind: 'NodeMetrics', apiVersion: API_VERSION, ...item };
    }
    return { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items };
  }
  const inScope = listObjects(view, 'pods', route.namespace).filter((p) => p.spec.nodeName);
  const pods = route.name ? inScope.filter((p) => p.metadata.name === route.name) : selected(inScope, query);
  const nodeNames = new Set(pods.map((p) => p.spec.nodeName));
  const nodes = listObjects(view, 'nodes').filter((n) => nodeNames.has(n.metadata.name));
  const rates = new Map((await scraper.rates(nodes)).map((r) => [r.node, r]));
  const items = pods.flatMap((p) => {
    const r = rates.get(p.spec.nodeName as string);
    const containers = r?.pods.get(`${p.metadata.namespace}/${p.metadata.name}`);
    if (!r || !containers) return [];
    return [
      {
        metadata: metadataOf(p),
        ...stamp(r),
        containers: [...containers].map(([name, u]) => ({ name, usage: quantity(u.cpuCores, u.memoryBytes) })),
      },
    ];
  });
  if (route.name) {
    const item = items[0];
    if (!item) throw notFound('pods', route.name, METRICS_GROUP);
    return { kind: 'PodMetrics', apiVersion: API_VERSION, ...item };
  }
  return { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items };
}
