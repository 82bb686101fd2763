/**
 * Paths of the resource metrics API (metrics.k8s.io/v1beta1, what metrics-server serves
 * through aggregation in a cluster): `/apis/metrics.k8s.io[/v1beta1[/nodes[/<name>]]]`
 * and `/apis/metrics.k8s.io/v1beta1[/namespaces/<ns>]/pods[/<name>]`. Not a stored
 * resource, so not in the resource table: answered by metrics-api-handler.ts.
 */

/** The group and version. */
export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';

/** A request to the resource metrics API. */
export interface MetricsApiRoute {
  kind: 'metrics-api';
  /** undefined: the group (`/apis/metrics.k8s.io`) or its APIResourceList (with `version`). */
  resource: 'nodes' | 'pods' | undefined;
  version: string | undefined;
  namespace: string | undefined;
  name: string | undefined;
}

/** Parses the path parts after `apis/metrics.k8s.io`; undefined when nothing is there. */
export function parseMetricsApiRoute(rest: readonly string[]): MetricsApiRoute | undefined {
  const route = (resource: MetricsApiRoute['resource'], namespace?: string, name?: string): MetricsApiRoute => ({
    kind: 'metrics-api',
    resource,
    version: rest[0],
    namespace,
    name,
  });
  if (rest.length === 0)
    return { kind: 'metrics-api', resource: undefined, version: undefined, namespace: undefined, name: undefined };
  if (rest[0] !== METRICS_VERSION) return undefined;
  const [, first, second, third, fourth] = rest;
  if (rest.length === 1) return route(undefined);
  if (first === 'nodes' && rest.length <= 3) return route('nodes', undefined, second);
  if (first === 'pods' && rest.length <= 3) return route('pods', undefined, second);
  if (first === 'namespaces' && second && third === 'pods' && rest.length <= 5) return route('pods', second, fourth);
  return undefined;
}

/** The `/apis/metrics.k8s.io` group as APIGroupList and `/apis/<group>` show it. */
export function metricsApiGroup(): Record<string, unknown> {
  const version = { groupVersion: `${METRICS_GROUP}/${METRICS_VERSION}`, version: METRICS_VERSION };
  return { name: METRICS_GROUP, versions: [version], preferredVersion: version };
}

const RESOURCES = [
  { name: 'nodes', singular: 'nodemetrics', kind: 'NodeMetrics', namespaced: false },
  { name: 'pods', singular: 'podmetrics', kind: 'PodMetrics', namespaced: true },
];

/** The group's entry in aggregated discovery (`/apis`, apidiscovery.k8s.io/v2). */
export function metricsApiAggregatedGroup(): Record<string, unknown> {
  return {
    metadata: { name: METRICS_GROUP },
    versions: [
      {
        version: METRICS_VERSION,
        freshness: 'Current',
        resources: RESOURCES.map((r) => ({
          resource: r.name,
          responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: ['get', 'list'],
        })),
      },
    ],
  };
}

/** The legacy APIResourceList of metrics.k8s.io/v1beta1. */
export function metricsApiResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
    resources: RESOURCES.map((r) => ({
      name: r.name,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['get', 'list'],
    })),
  };
}
