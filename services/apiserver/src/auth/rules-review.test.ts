import type { Role, RoleBinding } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_ROLE_BINDINGS, DEFAULT_CLUSTER_ROLES } from './bootstrap-policy.js';
import type { RbacSource } from './rbac-authorizer.js';
import { reviewRules, rulesFor } from './rules-review.js';
import { AUTHENTICATED_GROUP, serviceAccountGroups } from './user-info.js';

const RBAC = 'rbac.authorization.k8s.io';
const roleBinding = (ns: string, name: string, ref: { kind: string; name: string }, subject: object): RoleBinding =>
  ({
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace: ns },
    roleRef: { apiGroup: RBAC, ...ref },
    subjects: [subject],
  }) as RoleBinding;

function source(roles: Role[], bindings: RoleBinding[]): RbacSource {
  const all = [...DEFAULT_CLUSTER_ROLES, ...roles];
  return {
    clusterRoleBindings: () => DEFAULT_CLUSTER_ROLE_BINDINGS,
    roleBindings: (ns) => bindings.filter((b) => b.metadata.namespace === ns),
    clusterRole: (name) => all.find((r) => r.kind === 'ClusterRole' && r.metadata.name === name),
    role: (ns, name) => all.find((r) => r.kind === 'Role' && r.metadata.namespace === ns && r.metadata.name === name),
  };
}

const bot = {
  name: 'system:serviceaccount:team:bot',
  uid: '',
  groups: [...serviceAccountGroups('team'), AUTHENTICATED_GROUP],
};
const podReader: Role = {
  apiVersion: `${RBAC}/v1`,
  kind: 'Role',
  metadata: { name: 'pod-reader', namespace: 'team' },
  rules: [{ apiGroups: [''], resources: ['pods'], resourceNames: ['a'], verbs: ['get'] }],
};

describe('SelfSubjectRulesReview', () => {
  it("gathers the cluster bindings' rules, then the namespace's, for the user and its groups", () => {
    const bindings = [
      roleBinding('team', 'bot-reads', { kind: 'Role', name: 'pod-reader' }, { kind: 'ServiceAccount', name: 'bot' }),
      roleBinding(
        'team',
        'sas-view',
        { kind: 'ClusterRole', name: 'view' },
        { kind: 'Group', name: 'system:serviceaccounts:team' },
      ),
      roleBinding('team', 'other', { kind: 'ClusterRole', name: 'edit' }, { kind: 'User', name: 'alice' }),
      roleBinding(
        'other',
        'bot-elsewhere',
        { kind: 'ClusterRole', name: 'edit' },
        { kind: 'ServiceAccount', name: 'bot', namespace: 'team' },
      ),
    ];
    const src = source([podReader], bindings);
    const clusterWide = rulesFor(src, bot, '');
    // system:discovery, system:basic-user and system:public-info-viewer, for system:authenticated.
    expect(clusterWide).toHaveLength(4);
    const inTeam = rulesFor(src, bot, 'team');
    expect(inTeam.slice(0, 4)).toEqual(clusterWide);
    expect(inTeam[4]).toEqual(podReader.rules?.[0]);
    expect(inTeam.slice(5)).toEqual(DEFAULT_CLUSTER_ROLES.find((r) => r.metadata.name === 'view')?.rules);
    expect(rulesFor(src, bot, 'other')).toHaveLength(
      4 + (DEFAULT_CLUSTER_ROLES.find((r) => r.metadata.name === 'edit')?.rules?.length ?? 0),
    );
  });

  it('splits resource from non-resource rules, keeps names, and is complete', () => {
    const review = reviewRules({ spec: { namespace: 'team' } }, (ns) =>
      rulesFor(
        source(
          [podReader],
          [
            roleBinding(
              'team',
              'bot-reads',
              { kind: 'Role', name: 'pod-reader' },
              { kind: 'ServiceAccount', name: 'bot' },
            ),
          ],
        ),
        bot,
        ns,
      ),
    );
    expect(review).toMatchObject({ kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1' });
    const status = review.status as { resourceRules: object[]; nonResourceRules: object[]; incomplete: boolean };
    expect(status.incomplete).toBe(false);
    expect(status.resourceRules).toEqual([
      {
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      },
      { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
      { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
    ]);
    expect(status.nonResourceRules).toHaveLength(2);
    expect(status.nonResourceRules[1]).toEqual({
      verbs: ['get'],
      nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'],
    });
  });

  it('refuses a review without a namespace, as kube-apiserver does', () => {
    expect(() => reviewRules({ spec: {} }, () => [])).toThrow('no namespace on request');
    expect(() => reviewRules(null, () => [])).toThrow('expected a SelfSubjectRulesReview');
  });
});
