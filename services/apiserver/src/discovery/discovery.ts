/**
 * API discovery built from the resourceTypes table: aggregated discovery v2 for `/api`
 * and `/apis` (the exact Content-Type matters, kubectl-api.md §3.4), and the legacy
 * APIVersions / APIGroupList / APIResourceList replies for clients that ask for them.
 */
import { type ResourceType, apiVersionOf, resourceTypes } from '@kemu/api';
import type { Subresource } from '../strategies/resource-strategy.js';
import { strategyFor } from '../strategies/strategy-registry.js';
import { metricsApiAggregatedGroup, metricsApiGroup } from '../metrics/metrics-api-route.js';
import { authorizationAggregatedGroup, authorizationApiGroup } from '../auth/authorization-discovery.js';

/** Content-Type of an aggregated discovery v2 reply. */
export const AGGREGATED_DISCOVERY_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Verbs every kemu resource supports. */
export const RESOURCE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The subresources of a resource as its strategy lists them, then `status` where it has one. */
export function subresourcesOf(type: ResourceType): Subresource[] {
  const strategy = strategyFor(type);
  const out = [...strategy.subresources];
  if (strategy.hasStatus) out.push({ name: 'status', kind: type.kind, verbs: ['get', 'patch', 'update'] });
  return out;
}

/** The group/versions served, core first, in table order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const t of resourceTypes) {
    const gv = apiVersionOf(t);
    if (!seen.has(gv)) seen.set(gv, { group: t.group, version: t.version });
  }
  return [...seen.values()].sort((a, b) => (a.group === '' ? -1 : b.group === '' ? 1 : 0));
}

function typesOf(group: string, version: string): ResourceType[] {
  return resourceTypes.filter((t) => t.group === group && t.version === version);
}

/** True when kemu serves this group/version. */
export function servesGroupVersion(group: string, version: string): boolean {
  return typesOf(group, version).length > 0;
}

function aggregatedResource(t: ResourceType): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: t.resource,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: RESOURCE_VERBS,
  };
  if (t.shortNames.length > 0) r.shortNames = t.shortNames;
  if (t.categories.length > 0) r.categories = t.categories;
  const subs = subresourcesOf(t);
  if (subs.length > 0) {
    r.subresources = subs.map((s) => ({
      subresource: s.name,
      responseKind: {
        group: s.group ?? (s.kind === t.kind ? t.group : ''),
        version: s.version ?? t.version,
        kind: s.kind,
      },
      verbs: s.verbs,
    }));
  }
  return r;
}

/** The aggregated APIGroupDiscoveryList for `/api` (core) or `/apis` (named groups). */
export function aggregatedDiscovery(core: boolean): Record<string, unknown> {
  const items = groupVersions()
    .filter((gv) => (gv.group === '') === core)
    .map((gv) => ({
      metadata: core ? {} : { name: gv.group },
      versions: [
        { version: gv.version, freshness: 'Current', resources: typesOf(gv.group, gv.version).map(aggregatedResource) },
      ],
    }));
  // metrics.k8s.io is served beside the stored groups, as metrics-server's APIService adds it.
  const all = core ? items : [...items, authorizationAggregatedGroup(), metricsApiAggregatedGroup()];
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: all };
}

/** The legacy `/api` reply. */
export function legacyApiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** One named group, as `/apis/<group>` and `/apis` list it. */
export function apiGroup(group: string): Record<string, unknown> {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** The legacy `/apis` reply. */
export function legacyApiGroupList(): Record<string, unknown> {
  const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => g !== '').map(apiGroup);
  groups.push(authorizationApiGroup(), metricsApiGroup());
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** The legacy APIResourceList of one group/version (`/api/v1`, `/apis/apps/v1`). */
export function apiResourceList(group: string, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const t of typesOf(group, version)) {
    const r: Record<string, unknown> = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: RESOURCE_VERBS,
    };
    if (t.shortNames.length > 0) r.shortNames = t.shortNames;
    if (t.categories.length > 0) r.categories = t.categories;
    resources.push(r);
    for (const s of subresourcesOf(t)) {
      const sub: Record<string, unknown> = {
        name: `${t.resource}/${s.name}`,
        singularName: '',
        namespaced: t.namespaced,
        kind: s.kind,
        verbs: s.verbs,
      };
      if (s.group !== undefined) Object.assign(sub, { group: s.group, version: s.version });
      resources.push(sub);
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources,
  };
}

/** True when an Accept header asks for aggregated discovery v2. */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const p = part.replaceAll(' ', '');
    return (
      p.includes('as=APIGroupDiscoveryList') &&
      p.includes('g=apidiscovery.k8s.io') &&
      p.includes('v=v2') &&
      !p.includes('v=v2beta1')
    );
  });
}
