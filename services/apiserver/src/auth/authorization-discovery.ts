/**
 * authorization.k8s.io/v1 in discovery: the self reviews kemu answers (access and rules),
 * create-only and cluster-scoped as kube-apiserver lists them. They are not stored, so
 * they are not in the resource table; `/apis`, `/apis/authorization.k8s.io` and its
 * `/v1` APIResourceList come from here.
 */

/** The group and version. */
export const AUTHORIZATION_GROUP = 'authorization.k8s.io';
const VERSION = 'v1';
const GROUP_VERSION = `${AUTHORIZATION_GROUP}/${VERSION}`;

const RESOURCES = [
  { name: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', kind: 'SelfSubjectAccessReview' },
  { name: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview', kind: 'SelfSubjectRulesReview' },
];

/** The group as APIGroupList and `/apis/authorization.k8s.io` show it. */
export function authorizationApiGroup(): Record<string, unknown> {
  const version = { groupVersion: GROUP_VERSION, version: VERSION };
  return { name: AUTHORIZATION_GROUP, versions: [version], preferredVersion: version };
}

/** The group's entry in aggregated discovery (`/apis`, apidiscovery.k8s.io/v2). */
export function authorizationAggregatedGroup(): Record<string, unknown> {
  return {
    metadata: { name: AUTHORIZATION_GROUP },
    versions: [
      {
        version: VERSION,
        freshness: 'Current',
        resources: RESOURCES.map((r) => ({
          resource: r.name,
          responseKind: { group: AUTHORIZATION_GROUP, version: VERSION, kind: r.kind },
          scope: 'Cluster',
          singularResource: r.singular,
          verbs: ['create'],
        })),
      },
    ],
  };
}

/** The legacy APIResourceList of authorization.k8s.io/v1. */
export function authorizationApiResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: RESOURCES.map((r) => ({
      name: r.name,
      singularName: r.singular,
      namespaced: false,
      kind: r.kind,
      verbs: ['create'],
    })),
  };
}

/** The discovery reply for `pathname` when it is this group's or its version's; else undefined. */
export function authorizationDiscovery(pathname: string): Record<string, unknown> | undefined {
  if (pathname === `/apis/${AUTHORIZATION_GROUP}`)
    return { kind: 'APIGroup', apiVersion: 'v1', ...authorizationApiGroup() };
  if (pathname === `/apis/${GROUP_VERSION}`) return authorizationApiResourceList();
  return undefined;
}
