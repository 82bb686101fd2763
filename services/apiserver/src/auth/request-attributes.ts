/**
 * What a request asks to do, in authorizer.Attributes' terms: a verb on a resource
 * (group, resource, subresource, namespace, name) or on a non-resource path. The verb
 * comes from the method as kube-apiserver's RequestInfoFactory derives it: GET is get,
 * list or watch; POST create; PUT update; PATCH patch; DELETE delete or deletecollection.
 */
import type { Route } from '../http/router.js';
import { METRICS_GROUP } from '../metrics/metrics-api-route.js';

/** A request on a resource. */
export interface ResourceAttributes {
  kind: 'resource';
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** A request on a path that names no resource (discovery, OpenAPI, health). */
export interface NonResourceAttributes {
  kind: 'non-resource';
  verb: string;
  path: string;
}

/** Either kind of request. */
export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

const METHOD_VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The attributes of a request with `method` on `route` (`pathname` for non-resource routes). */
export function requestAttributes(
  method: string,
  route: Route,
  pathname: string,
  query: URLSearchParams,
): RequestAttributes {
  if (route.kind === 'metrics-api' && route.resource) {
    const name = route.name ?? '';
    const verb = name ? 'get' : 'list';
    const attrs = { group: METRICS_GROUP, resource: route.resource, subresource: '', namespace: route.namespace ?? '' };
    return { kind: 'resource', verb, ...attrs, name };
  }
  if (route.kind !== 'resource') return { kind: 'non-resource', verb: method.toLowerCase(), path: pathname };
  const named = route.name !== undefined;
  let verb = METHOD_VERBS[method] ?? 'get';
  if (method === 'GET' || method === 'HEAD') {
    const watch = route.watchPrefix || ['1', 'true'].includes(query.get('watch') ?? '');
    verb = watch ? 'watch' : named ? 'get' : 'list';
  }
  if (method === 'DELETE' && !named) verb = 'deletecollection';
  return {
    kind: 'resource',
    verb,
    group: route.type.group,
    resource: route.type.resource,
    subresource: route.subresource ?? '',
    namespace: route.namespace ?? '',
    name: route.name ?? '',
  };
}
