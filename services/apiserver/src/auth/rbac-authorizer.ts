/**
 * RBAC authorization, as kube-apiserver's RBAC authorizer decides: a request is allowed
 * when a ClusterRoleBinding, or a RoleBinding in the request's namespace, binds one of
 * the user's identities (user name, group, ServiceAccount) to a role with a rule that
 * covers the verb, API group, resource (`resource/subresource`), resource name, or the
 * non-resource path. There are no deny rules. Pure: it reads roles and bindings through
 * the lookup it is given (the informer's view in the apiserver).
 */
import type { PolicyRule, RbacSubject, Role, RoleBinding } from '@kemu/api';
import type { RequestAttributes } from './request-attributes.js';
import type { UserInfo } from './user-info.js';

/** Where the authorizer reads RBAC objects from. */
export interface RbacSource {
  clusterRoleBindings(): readonly RoleBinding[];
  roleBindings(namespace: string): readonly RoleBinding[];
  clusterRole(name: string): Role | undefined;
  role(namespace: string, name: string): Role | undefined;
}

const has = (list: readonly string[] | undefined, value: string): boolean =>
  (list ?? []).some((v) => v === '*' || v === value);

/** True when `rule` covers the request. */
export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.kind === 'non-resource') {
    return (rule.nonResourceURLs ?? []).some(
      (u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))),
    );
  }
  if (!has(rule.apiGroups, a.group)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = rule.resources ?? [];
  const resourceOk = resources.some(
    (r) => r === '*' || r === combined || (a.subresource !== '' && r === `*/${a.subresource}`),
  );
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

/** True when `subject` (of a binding in `bindingNamespace`) names the user. */
export function subjectMatches(subject: RbacSubject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount':
      return user.name === `system:serviceaccount:${subject.namespace || bindingNamespace}:${subject.name}`;
    default:
      return false;
  }
}

/** The rules of the role `binding` (in `namespace`, '' for a ClusterRoleBinding) refers to. */
export function rulesOf(source: RbacSource, binding: RoleBinding, namespace: string): readonly PolicyRule[] {
  const ref = binding.roleRef;
  const role = ref?.kind === 'ClusterRole' ? source.clusterRole(ref.name) : source.role(namespace, ref?.name ?? '');
  return role?.rules ?? [];
}

/** True when the user may do what the request asks. */
export function rbacAllows(source: RbacSource, user: UserInfo, a: RequestAttributes): boolean {
  const grants = (binding: RoleBinding, namespace: string) =>
    (binding.subjects ?? []).some((s) => subjectMatches(s, user, namespace)) &&
    rulesOf(source, binding, namespace).some((r) => ruleAllows(r, a));
  if (source.clusterRoleBindings().some((b) => grants(b, ''))) return true;
  if (a.kind === 'resource' && a.namespace !== '')
    return source.roleBindings(a.namespace).some((b) => grants(b, a.namespace));
  return false;
}

/** The reason kube-apiserver gives in a 403: `User "u" cannot list resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenReason(user: UserInfo, a: RequestAttributes): string {
  if (a.kind === 'non-resource') return `User "${user.name}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`;
}
