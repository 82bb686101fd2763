import type { Role, RoleBinding } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { type RbacSource, forbiddenReason, rbacAllows, ruleAllows } from './rbac-authorizer.js';
import type { ResourceAttributes } from './request-attributes.js';

const RBAC = 'rbac.authorization.k8s.io/v1' as const;
const attrs = (over: Partial<ResourceAttributes> = {}): ResourceAttributes => ({
  kind: 'resource',
  verb: 'list',
  group: '',
  resource: 'pods',
  subresource: '',
  namespace: 'default',
  name: '',
  ...over,
});

function source(roles: Role[], bindings: RoleBinding[]): RbacSource {
  return {
    clusterRoleBindings: () => bindings.filter((b) => b.kind === 'ClusterRoleBinding'),
    roleBindings: (ns) => bindings.filter((b) => b.kind === 'RoleBinding' && b.metadata.namespace === ns),
    clusterRole: (name) => roles.find((r) => r.kind === 'ClusterRole' && r.metadata.name === name),
    role: (ns, name) => roles.find((r) => r.kind === 'Role' && r.metadata.namespace === ns && r.metadata.name === name),
  };
}

describe('rbac authorizer', () => {
  it('matches verbs, groups, resource/subresource, names and non-resource paths with wildcards', () => {
    expect(ruleAllows({ verbs: ['list'], apiGroups: [''], resources: ['pods'] }, attrs())).toBe(true);
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, attrs())).toBe(false);
    expect(ruleAllows({ verbs: ['list'], apiGroups: ['apps'], resources: ['pods'] }, attrs())).toBe(false);
    expect(ruleAllows({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, attrs({ group: 'apps' }))).toBe(true);
    expect(
      ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, attrs({ verb: 'get', subresource: 'log' })),
    ).toBe(false);
    expect(
      ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['*/log'] }, attrs({ verb: 'get', subresource: 'log' })),
    ).toBe(true);
    const named = { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] };
    expect(ruleAllows(named, attrs({ verb: 'get', name: 'a' }))).toBe(true);
    expect(ruleAllows(named, attrs({ verb: 'get', name: 'b' }))).toBe(false);
    expect(
      ruleAllows(
        { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
        { kind: 'non-resource', verb: 'get', path: '/apis/apps' },
      ),
    ).toBe(true);
    expect(
      ruleAllows({ verbs: ['get'], nonResourceURLs: ['/api'] }, { kind: 'non-resource', verb: 'get', path: '/apis' }),
    ).toBe(false);
  });

  it('grants through ClusterRoleBindings everywhere and RoleBindings in their namespace, to users, groups and ServiceAccounts', () => {
    const reader: Role = {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: 'reader' },
      rules: [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }],
    };
    const bind = (kind: 'RoleBinding' | 'ClusterRoleBinding', subject: RoleBinding['subjects']): RoleBinding => ({
      apiVersion: RBAC,
      kind,
      metadata: { name: 'b', namespace: kind === 'RoleBinding' ? 'team' : undefined } as never,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' },
      subjects: subject,
    });
    const alice = { name: 'alice', uid: '', groups: ['system:authenticated'] };
    const sa = { name: 'system:serviceaccount:team:bot', uid: '', groups: ['system:serviceaccounts'] };
    const ns = source(
      [reader],
      [
        bind('RoleBinding', [
          { kind: 'User', name: 'alice' },
          { kind: 'ServiceAccount', name: 'bot' },
        ]),
      ],
    );
    expect(rbacAllows(ns, alice, attrs({ namespace: 'team' }))).toBe(true);
    expect(rbacAllows(ns, alice, attrs({ namespace: 'default' }))).toBe(false);
    expect(rbacAllows(ns, alice, attrs({ namespace: '' }))).toBe(false);
    expect(rbacAllows(ns, sa, attrs({ namespace: 'team' }))).toBe(true);
    const cluster = source([reader], [bind('ClusterRoleBinding', [{ kind: 'Group', name: 'system:authenticated' }])]);
    expect(rbacAllows(cluster, alice, attrs({ namespace: '' }))).toBe(true);
    expect(rbacAllows(cluster, alice, attrs({ verb: 'delete' }))).toBe(false);
  });

  it('words the 403 reason as kube-apiserver does', () => {
    const u = { name: 'system:serviceaccount:default:default', uid: '', groups: [] };
    expect(forbiddenReason(u, attrs())).toBe(
      'User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    expect(forbiddenReason(u, attrs({ namespace: '', resource: 'nodes' }))).toBe(
      'User "system:serviceaccount:default:default" cannot list resource "nodes" in API group "" at the cluster scope',
    );
    expect(forbiddenReason(u, { kind: 'non-resource', verb: 'get', path: '/metrics' })).toBe(
      'User "system:serviceaccount:default:default" cannot get path "/metrics"',
    );
  });
});
