/** Who a request acts as, and the well-known users and groups of Kubernetes' authenticators. */

/** An authenticated (or impersonated) user: name, uid and groups, as user.Info. */
export interface UserInfo {
  name: string;
  uid: string;
  groups: string[];
}

/** The group every authenticated user is in. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** The group whose members may do anything (bound to cluster-admin). */
export const MASTERS_GROUP = 'system:masters';
/** The prefix of a ServiceAccount's user name: `system:serviceaccount:<ns>:<name>`. */
export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** The user name of a ServiceAccount. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** A ServiceAccount user name split into namespace and name; undefined for other users. */
export function parseServiceAccountUser(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const [namespace, name, ...rest] = user.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  if (!namespace || !name || rest.length > 0) return undefined;
  return { namespace, name };
}

/** The groups a ServiceAccount is in: all ServiceAccounts, those of its namespace, and authenticated users. */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, AUTHENTICATED_GROUP];
}
