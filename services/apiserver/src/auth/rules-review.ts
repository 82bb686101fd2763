/**
 * SelfSubjectRulesReview (`kubectl auth can-i --list`): the rules the requesting (or
 * impersonated) user holds in a namespace, as kube-apiserver's RBAC rule resolver
 * gathers them: every ClusterRoleBinding, then the namespace's RoleBindings, that name
 * the user or one of its groups contribute their role's rules, in that order and
 * unmerged (kubectl breaks them down and compacts them). A rule with resources is a
 * resource rule, one with nonResourceURLs a non-resource rule. RBAC enumerates fully,
 * so `incomplete` is false. system:masters is allowed by a privileged-group authorizer
 * that lists no rules upstream; its rules come from the cluster-admin binding.
 */
import { type PolicyRule, badRequest } from '@kemu/api';
import { type RbacSource, rulesOf, subjectMatches } from './rbac-authorizer.js';
import type { RequestAttributes } from './request-attributes.js';
import type { UserInfo } from './user-info.js';

/** The path kubectl posts rules reviews to. */
export const SELF_SUBJECT_RULES_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews';

/** The attributes of creating a rules review (what system:basic-user allows). */
export const CREATE_RULES_REVIEW: RequestAttributes = {
  kind: 'resource',
  verb: 'create',
  group: 'authorization.k8s.io',
  resource: 'selfsubjectrulesreviews',
  subresource: '',
  namespace: '',
  name: '',
};

/** The rules bound to `user`: cluster-wide ones, then those of `namespace` (when given). */
export function rulesFor(source: RbacSource, user: UserInfo, namespace: string): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const b of source.clusterRoleBindings())
    if ((b.subjects ?? []).some((s) => subjectMatches(s, user, ''))) out.push(...rulesOf(source, b, ''));
  if (namespace !== '')
    for (const b of source.roleBindings(namespace))
      if ((b.subjects ?? []).some((s) => subjectMatches(s, user, namespace)))
        out.push(...rulesOf(source, b, namespace));
  return out;
}

const list = (v: readonly string[] | undefined): string[] => [...(v ?? [])];

/** Answers a rules review body for `user` from the rules `rules(namespace)` gives. */
export function reviewRules(
  body: unknown,
  rules: (namespace: string) => readonly PolicyRule[],
): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('expected a SelfSubjectRulesReview');
  const spec = ((body as Record<string, unknown>).spec ?? {}) as Record<string, unknown>;
  const namespace = typeof spec.namespace === 'string' ? spec.namespace : '';
  if (namespace === '') throw badRequest('no namespace on request');
  const granted = rules(namespace);
  const resourceRules = granted
    .filter((r) => (r.resources ?? []).length > 0)
    .map((r) => {
      const rule: Record<string, unknown> = {
        verbs: list(r.verbs),
        apiGroups: list(r.apiGroups),
        resources: list(r.resources),
      };
      if ((r.resourceNames ?? []).length > 0) rule.resourceNames = list(r.resourceNames);
      return rule;
    });
  const nonResourceRules = granted
    .filter((r) => (r.nonResourceURLs ?? []).length > 0)
    .map((r) => ({ verbs: list(r.verbs), nonResourceURLs: list(r.nonResourceURLs) }));
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: {},
    status: { resourceRules, nonResourceRules, incomplete: false },
  };
}
