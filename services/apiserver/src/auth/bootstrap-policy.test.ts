import type { RoleBinding } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_ROLES, DEFAULT_CLUSTER_ROLE_BINDINGS } from './bootstrap-policy.js';
import { type RbacSource, rbacAllows } from './rbac-authorizer.js';
import type { RequestAttributes } from './request-attributes.js';

function source(extra: RoleBinding[] = []): RbacSource {
  const bindings = [...DEFAULT_CLUSTER_ROLE_BINDINGS, ...extra];
  return {
    clusterRoleBindings: () => bindings.filter((b) => b.kind === 'ClusterRoleBinding'),
    roleBindings: (ns) => bindings.filter((b) => b.kind === 'RoleBinding' && b.metadata.namespace === ns),
    clusterRole: (name) => DEFAULT_CLUSTER_ROLES.find((r) => r.metadata.name === name),
    role: () => undefined,
  };
}

const metricsPath: RequestAttributes = { kind: 'non-resource', verb: 'get', path: '/metrics' };
const topPods: RequestAttributes = {
  kind: 'resource',
  verb: 'list',
  group: 'metrics.k8s.io',
  resource: 'pods',
  subresource: '',
  namespace: 'team',
  name: '',
};

describe('bootstrap policy for metrics', () => {
  it('lets system:monitoring and cluster admins read /metrics, and no one else', () => {
    const user = (groups: string[]) => ({ name: 'u', uid: 'u', groups: ['system:authenticated', ...groups] });
    expect(rbacAllows(source(), user(['system:monitoring']), metricsPath)).toBe(true);
    expect(rbacAllows(source(), user(['system:masters']), metricsPath)).toBe(true);
    expect(rbacAllows(source(), user([]), metricsPath)).toBe(false);
  });

  it('lets view (and so edit and admin) read metrics.k8s.io pods where it is bound', () => {
    const alice = { name: 'alice', uid: 'a', groups: ['system:authenticated'] };
    expect(rbacAllows(source(), alice, topPods)).toBe(false);
    const view: RoleBinding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'alice-view', namespace: 'team' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
    };
    expect(rbacAllows(source([view]), alice, topPods)).toBe(true);
    expect(rbacAllows(source([view]), alice, { ...topPods, namespace: 'other' })).toBe(false);
  });
});
