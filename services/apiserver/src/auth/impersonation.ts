/**
 * Impersonation (`kubectl --as`, `--as-group`): `Impersonate-User`, `Impersonate-Group`
 * and `Impersonate-Uid` headers make a request act as another user, when the requester
 * may `impersonate` users (or the ServiceAccount, for `system:serviceaccount:…` names)
 * and groups. An impersonated user is in system:authenticated, and a ServiceAccount in
 * its ServiceAccount groups when no group is given, as kube-apiserver's filter does.
 */
import { type ApiError, badRequest } from '@kemu/api';
import type { IncomingHttpHeaders } from 'node:http';
import { forbiddenStatus } from './forbidden.js';
import type { Authorizer } from './authorizer.js';
import type { ResourceAttributes } from './request-attributes.js';
import { AUTHENTICATED_GROUP, parseServiceAccountUser, serviceAccountGroups, type UserInfo } from './user-info.js';

function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** The user a request acts as: the requester, or whom it impersonates; throws 403 when it may not. */
export function effectiveUser(requester: UserInfo, headers: IncomingHttpHeaders, authz: Authorizer): UserInfo {
  const user = headers['impersonate-user'];
  const groups = headerList(headers['impersonate-group']);
  const uid = headers['impersonate-uid'];
  if (user === undefined && groups.length === 0 && uid === undefined) return requester;
  const name = Array.isArray(user) ? user[0] : user;
  if (!name) throw badRequest('requested impersonation of groups or uid without impersonating a user');
  const check = (a: Omit<ResourceAttributes, 'kind' | 'verb' | 'subresource'>): void => {
    const attrs: ResourceAttributes = { kind: 'resource', verb: 'impersonate', subresource: '', ...a };
    if (!authz.allows(requester, attrs)) throw forbiddenStatus(requester, attrs) as ApiError;
  };
  const sa = parseServiceAccountUser(name);
  if (sa) check({ group: '', resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name });
  else check({ group: '', resource: 'users', namespace: '', name });
  for (const g of groups) check({ group: '', resource: 'groups', namespace: '', name: g });
  const impersonatedGroups = groups.length > 0 || !sa ? groups : serviceAccountGroups(sa.namespace);
  return {
    name,
    uid: (Array.isArray(uid) ? uid[0] : uid) ?? '',
    groups: [...new Set([...impersonatedGroups, AUTHENTICATED_GROUP])],
  };
}
