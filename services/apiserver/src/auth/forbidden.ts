/** The 403 Forbidden Status kube-apiserver sends when the authorizer says no. */
import { ApiError } from '@kemu/api';
import { forbiddenReason } from './rbac-authorizer.js';
import type { RequestAttributes } from './request-attributes.js';
import type { UserInfo } from './user-info.js';

/** `pods is forbidden: User "…" cannot list resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenStatus(user: UserInfo, a: RequestAttributes): ApiError {
  const reason = forbiddenReason(user, a);
  if (a.kind === 'non-resource')
    return new ApiError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `forbidden: ${reason}`,
      reason: 'Forbidden',
      details: {},
      code: 403,
    });
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${subject} is forbidden: ${reason}`,
    reason: 'Forbidden',
    details: { ...(a.name ? { name: a.name } : {}), ...(a.group ? { group: a.group } : {}), kind: a.resource },
    code: 403,
  });
}
