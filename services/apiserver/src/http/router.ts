/**
 * Maps a request path to what it addresses. Resource paths follow the Kubernetes
 * layout: `/api/v1[/watch]/namespaces/<ns>/<resource>[/<name>[/<subresource>]]`,
 * `/apis/<group>/<version>/...`, cluster-scoped types without the namespaces part, and
 * namespaced types without it for "across all namespaces".
 */
import { type ResourceType, resourceTypes } from '@kemu/api';
import { servesGroupVersion, subresourcesOf } from '../discovery/discovery.js';
import { strategyFor } from '../strategies/strategy-registry.js';
import { METRICS_GROUP, type MetricsApiRoute, parseMetricsApiRoute } from '../metrics/metrics-api-route.js';

/** A request addressed at one resource type. */
export interface ResourceRoute {
  kind: 'resource';
  type: ResourceType;
  /** The namespace from the path; undefined for cluster-scoped types and for lists across namespaces. */
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** True for the deprecated `/watch/` path prefix. */
  watchPrefix: boolean;
}

/** Everything the apiserver answers. */
export type Route =
  | { kind: 'version' }
  | { kind: 'health'; check: string }
  | { kind: 'discovery'; core: boolean }
  | { kind: 'group'; group: string }
  | { kind: 'group-version'; group: string; version: string }
  | { kind: 'openapi-root' }
  | { kind: 'openapi-v2' }
  | { kind: 'openapi-document'; group: string; version: string }
  | ResourceRoute
  | { kind: 'metrics' }
  | MetricsApiRoute
  | { kind: 'not-found' };

const NOT_FOUND: Route = { kind: 'not-found' };

function typeIn(group: string, version: string, resource: string | undefined): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.resource === resource);
}

function knownSubresource(type: ResourceType, sub: string | undefined): boolean {
  if (sub === undefined) return true;
  if (strategyFor(type).hiddenSubresources.includes(sub)) return true;
  return subresourcesOf(type).some((s) => s.name === sub);
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return watchPrefix ? NOT_FOUND : { kind: 'group-version', group, version };
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const type = typeIn(group, version, rest[2]);
    if (type?.namespaced) {
      if (rest.length > 5 || !knownSubresource(type, rest[4])) return NOT_FOUND;
      return { kind: 'resource', type, namespace: rest[1], name: rest[3], subresource: rest[4], watchPrefix };
    }
  }
  const type = typeIn(group, version, rest[0]);
  if (!type || rest.length > 3) return NOT_FOUND;
  if ((type.namespaced && rest.length > 1) || !knownSubresource(type, rest[2])) return NOT_FOUND;
  return { kind: 'resource', type, namespace: undefined, name: rest[1], subresource: rest[2], watchPrefix };
}

/** Parses a URL path (without the query). */
export function parseRoute(pathname: string): Route {
  let parts: string[];
  try {
    parts = pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
  } catch {
    return NOT_FOUND;
  }
  const [first, second, third, fourth] = parts;
  switch (first) {
    case 'version':
      return parts.length === 1 ? { kind: 'version' } : NOT_FOUND;
    case 'metrics':
      return parts.length === 1 ? { kind: 'metrics' } : NOT_FOUND;
    case 'healthz':
    case 'readyz':
    case 'livez':
      return { kind: 'health', check: parts.join('/') };
    case 'openapi':
      if (second === 'v2') return parts.length === 2 ? { kind: 'openapi-v2' } : NOT_FOUND;
      if (second !== 'v3') return NOT_FOUND;
      if (parts.length === 2) return { kind: 'openapi-root' };
      if (third === 'api' && parts.length === 4 && fourth && servesGroupVersion('', fourth))
        return { kind: 'openapi-document', group: '', version: fourth };
      if (third === 'apis' && parts.length === 5 && fourth && parts[4] && servesGroupVersion(fourth, parts[4])) {
        return { kind: 'openapi-document', group: fourth, version: parts[4] };
      }
      return NOT_FOUND;
    case 'api':
      if (parts.length === 1) return { kind: 'discovery', core: true };
      if (!second || !servesGroupVersion('', second)) return NOT_FOUND;
      return resourceRoute('', second, parts.slice(2));
    case 'apis':
      if (parts.length === 1) return { kind: 'discovery', core: false };
      if (!second) return NOT_FOUND;
      if (second === METRICS_GROUP) return parseMetricsApiRoute(parts.slice(2)) ?? NOT_FOUND;
      if (parts.length === 2)
        return resourceTypes.some((t) => t.group === second) ? { kind: 'group', group: second } : NOT_FOUND;
      if (!third || !servesGroupVersion(second, third)) return NOT_FOUND;
      return resourceRoute(second, third, parts.slice(3));
    default:
      return NOT_FOUND;
  }
}
