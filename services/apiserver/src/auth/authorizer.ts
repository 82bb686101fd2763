/**
 * The apiserver's authorizer: system:masters may do anything (as kube-apiserver's
 * privileged-group authorizer), everyone else what RBAC allows. The RBAC objects are
 * read from the informer's view into a cache rebuilt after any of them changes, so a
 * request costs a walk of the bindings, not of every object.
 */
import type { PolicyRule, Role, RoleBinding } from '@kemu/api';
import type { Informer } from '@kemu/eventlog';
import { type RbacSource, rbacAllows } from './rbac-authorizer.js';
import type { RequestAttributes } from './request-attributes.js';
import { rulesFor } from './rules-review.js';
import { MASTERS_GROUP, type UserInfo } from './user-info.js';

/** Decides whether a user may do what a request asks. */
export interface Authorizer {
  allows(user: UserInfo, attributes: RequestAttributes): boolean;
  /** The RBAC rules bound to `user` cluster-wide and in `namespace` (SelfSubjectRulesReview). */
  rules(user: UserInfo, namespace: string): readonly PolicyRule[];
}

const RBAC_RESOURCES = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'] as const;

function snapshot(informer: Informer): RbacSource {
  const byNamespace = new Map<string, RoleBinding[]>();
  for (const b of informer.lister('rolebindings').list()) {
    const ns = b.metadata.namespace ?? '';
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), b]);
  }
  const clusterRoles = new Map(
    informer
      .lister('clusterroles')
      .list()
      .map((r) => [r.metadata.name, r]),
  );
  const roles = new Map<string, Role>(
    informer
      .lister('roles')
      .list()
      .map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r]),
  );
  const clusterBindings = informer.lister('clusterrolebindings').list();
  return {
    clusterRoleBindings: () => clusterBindings,
    roleBindings: (ns) => byNamespace.get(ns) ?? [],
    clusterRole: (name) => clusterRoles.get(name),
    role: (ns, name) => roles.get(`${ns}/${name}`),
  };
}

/** An authorizer over the informer's RBAC objects; call `stop` to drop its handlers. */
export function createAuthorizer(informer: Informer): Authorizer & { stop(): void } {
  let cached: RbacSource | undefined;
  const invalidate = () => {
    cached = undefined;
  };
  const removers = RBAC_RESOURCES.map((r) =>
    informer.on(r, { onAdd: invalidate, onUpdate: invalidate, onDelete: invalidate }),
  );
  return {
    allows(user, attributes) {
      if (user.groups.includes(MASTERS_GROUP)) return true;
      cached ??= snapshot(informer);
      return rbacAllows(cached, user, attributes);
    },
    rules(user, namespace) {
      cached ??= snapshot(informer);
      return rulesFor(cached, user, namespace);
    },
    stop: () => {
      for (const remove of removers) remove();
    },
  };
}
