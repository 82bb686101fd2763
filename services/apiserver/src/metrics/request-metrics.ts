/**
 * kube-apiserver's request metrics (k8s.io/apiserver/pkg/endpoints/metrics):
 * apiserver_request_total by verb, group, version, resource, subresource, scope,
 * component and code, and apiserver_request_duration_seconds for requests that are not
 * long-running (WATCH and CONNECT are counted, not timed), with the upstream verbs (LIST
 * and WATCH told apart from GET, as the request info does).
 */
import { Counter, Histogram, type MetricsRegistry } from '@kemu/metrics';
import type { Route } from '../http/router.js';
import type { MetricsApiRoute } from './metrics-api-route.js';

/** Records one request. */
export interface RequestMetrics {
  observe(method: string, route: Route | MetricsApiRoute, query: URLSearchParams, code: number, seconds: number): void;
}

const BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;

function labelsOf(method: string, route: Route | MetricsApiRoute, query: URLSearchParams) {
  const base = { dry_run: query.has('dryRun') ? 'All' : '', component: 'apiserver' };
  if (route.kind === 'resource') {
    const named = route.name !== undefined;
    const watch = route.watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1';
    let verb = method === 'HEAD' ? 'GET' : method;
    if (method === 'GET') verb = watch ? 'WATCH' : named ? 'GET' : 'LIST';
    if (method === 'DELETE' && !named) verb = 'DELETECOLLECTION';
    const scope = named ? 'resource' : route.namespace ? 'namespace' : 'cluster';
    const { group, version, resource } = route.type;
    return { ...base, verb, group, version, resource, subresource: route.subresource ?? '', scope };
  }
  if (route.kind === 'metrics-api' && route.resource) {
    const verb = route.name ? 'GET' : 'LIST';
    const scope = route.name ? 'resource' : route.namespace ? 'namespace' : 'cluster';
    const version = route.version ?? '';
    return { ...base, verb, group: 'metrics.k8s.io', version, resource: route.resource, subresource: '', scope };
  }
  return { ...base, verb: method, group: '', version: '', resource: '', subresource: '', scope: '' };
}

/** Registers the metrics on the registry. */
export function createRequestMetrics(registry: MetricsRegistry): RequestMetrics {
  const total = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    labelNames: [...LABELS, 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    labelNames: [...LABELS],
    buckets: BUCKETS,
    registers: [registry],
  });
  return {
    observe(method, route, query, code, seconds) {
      const labels = labelsOf(method, route, query);
      total.inc({ ...labels, code: String(code) });
      if (labels.verb !== 'WATCH' && labels.verb !== 'CONNECT') duration.observe(labels, seconds);
    },
  };
}
