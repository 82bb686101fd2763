/**
 * The default ClusterRoles and ClusterRoleBindings kube-apiserver's RBAC bootstrap
 * creates (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), for the resources kemu
 * serves: cluster-admin for system:masters; discovery, basic-user (access reviews) and
 * public-info-viewer for every authenticated user; /metrics for the system:monitoring group; the user-facing admin, edit and view
 * roles to bind. A ServiceAccount thus may do nothing beyond discovery until bound.
 */
import type { PolicyRule, Role, RoleBinding } from '@kemu/api';

const RBAC = 'rbac.authorization.k8s.io';
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

const role = (name: string, rules: PolicyRule[]): Role => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'ClusterRole',
  metadata: { name, labels: BOOTSTRAP_LABELS, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
  rules,
});

const binding = (name: string, roleName: string, groups: string[]): RoleBinding => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: BOOTSTRAP_LABELS, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
  roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: roleName },
  subjects: groups.map((g) => ({ kind: 'Group', apiGroup: RBAC, name: g })),
});

/** Namespaced workload resources, by API group: what view reads and edit writes. */
const WORKLOADS: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'services', 'endpoints', 'configmaps', 'serviceaccounts'], verbs: [] },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'replicasets', 'deployments/scale', 'replicasets/scale'],
    verbs: [],
  },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: [] },
];

const withVerbs = (rules: PolicyRule[], verbs: string[]) => rules.map((r) => ({ ...r, verbs }));

const VIEW: PolicyRule[] = [
  ...withVerbs(WORKLOADS, READ),
  { apiGroups: [''], resources: ['pods/log', 'pods/status', 'services/status', 'events', 'namespaces'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments/status', 'replicasets/status'], verbs: READ },
  // metrics-server's system:aggregated-metrics-reader, aggregated into view, edit and admin.
  { apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: READ },
];

const EDIT: PolicyRule[] = [
  ...VIEW,
  ...withVerbs(WORKLOADS, WRITE),
  { apiGroups: [''], resources: ['pods/exec', 'pods/attach', 'pods/portforward'], verbs: ['create', 'get'] },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
];

const ADMIN: PolicyRule[] = [
  ...EDIT,
  { apiGroups: [RBAC], resources: ['roles', 'rolebindings'], verbs: [...READ, ...WRITE] },
  {
    apiGroups: ['authorization.k8s.io'],
    resources: ['localsubjectaccessreviews'],
    verbs: ['create'],
  },
];

/** The default ClusterRoles. */
export const DEFAULT_CLUSTER_ROLES: readonly Role[] = [
  role('cluster-admin', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]),
  role('system:discovery', [
    {
      nonResourceURLs: [
        '/api',
        '/api/*',
        '/apis',
        '/apis/*',
        '/healthz',
        '/livez',
        '/openapi',
        '/openapi/*',
        '/readyz',
        '/version',
        '/version/',
      ],
      verbs: ['get'],
    },
  ]),
  role('system:basic-user', [
    {
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      verbs: ['create'],
    },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ]),
  role('system:public-info-viewer', [
    { nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] },
  ]),
  role('system:monitoring', [
    {
      nonResourceURLs: [
        '/healthz',
        '/healthz/*',
        '/livez',
        '/livez/*',
        '/metrics',
        '/metrics/slis',
        '/readyz',
        '/readyz/*',
      ],
      verbs: ['get'],
    },
  ]),
  role('admin', ADMIN),
  role('edit', EDIT),
  role('view', VIEW),
];

/** The default ClusterRoleBindings. */
export const DEFAULT_CLUSTER_ROLE_BINDINGS: readonly RoleBinding[] = [
  binding('cluster-admin', 'cluster-admin', ['system:masters']),
  binding('system:discovery', 'system:discovery', ['system:authenticated']),
  binding('system:basic-user', 'system:basic-user', ['system:authenticated']),
  binding('system:public-info-viewer', 'system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
  binding('system:monitoring', 'system:monitoring', ['system:monitoring']),
];
