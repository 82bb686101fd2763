/**
 * SelfSubjectAccessReview (`kubectl auth can-i`): a POST asking whether the requesting
 * (or impersonated) user may do something, answered 201 with `status.allowed`. It is
 * not stored: kube-apiserver answers it from the authorizer alone.
 */
import { badRequest } from '@kemu/api';
import type { Authorizer } from './authorizer.js';
import type { RequestAttributes } from './request-attributes.js';
import type { UserInfo } from './user-info.js';

/** The path kubectl posts reviews to. */
export const SELF_SUBJECT_ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/** The attributes of creating a review (what system:basic-user allows). */
export const CREATE_ACCESS_REVIEW: RequestAttributes = {
  kind: 'resource',
  verb: 'create',
  group: 'authorization.k8s.io',
  resource: 'selfsubjectaccessreviews',
  subresource: '',
  namespace: '',
  name: '',
};

type Rec = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Answers a review body for `user`: the review with its status. */
export function reviewAccess(body: unknown, user: UserInfo, authz: Authorizer): Rec {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('expected a SelfSubjectAccessReview');
  const review = body as Rec;
  const spec = (review.spec ?? {}) as Rec;
  const ra = spec.resourceAttributes as Rec | undefined;
  const nra = spec.nonResourceAttributes as Rec | undefined;
  if (!ra === !nra)
    throw badRequest(
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  const attrs: RequestAttributes = ra
    ? {
        kind: 'resource',
        verb: str(ra.verb),
        group: str(ra.group),
        resource: str(ra.resource),
        subresource: str(ra.subresource),
        namespace: str(ra.namespace),
        name: str(ra.name),
      }
    : { kind: 'non-resource', verb: str(nra?.verb), path: str(nra?.path) };
  const allowed = authz.allows(user, attrs);
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: allowed ? { allowed: true, reason: 'RBAC: allowed' } : { allowed: false },
  };
}
