/**
 * TokenRequest (`POST …/serviceaccounts/<name>/token`, `kubectl create token`): a token
 * for the ServiceAccount, signed with the cluster's key, for the requested audiences
 * (default: the apiserver) and lifetime (default one hour, at least ten minutes, as
 * kube-apiserver bounds it), optionally bound to a pod that must exist with the uid
 * given. Nothing is stored.
 */
import { type KubeObject, badRequest, invalid, notFound, unavailable } from '@kemu/api';
import type { ApiContext } from '../context.js';
import { TOKEN_ISSUER } from '../auth/service-account-token.js';

const DEFAULT_SECONDS = 3600;
const MIN_SECONDS = 600;
const MAX_SECONDS = 48 * 3600;

type Rec = Record<string, unknown>;

/** Answers a TokenRequest body for `namespace/name`. */
export function requestToken(ctx: ApiContext, namespace: string, name: string, body: unknown): Rec {
  if (!ctx.tokenSigner) throw unavailable('ServiceAccount tokens are not configured (KEMU_APISERVER_SA_KEY)');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('expected a TokenRequest');
  const sa = ctx.informer.lister('serviceaccounts').get(namespace, name);
  if (!sa) throw notFound('serviceaccounts', name);
  const spec = ((body as Rec).spec ?? {}) as Rec;
  const seconds = spec.expirationSeconds === undefined ? DEFAULT_SECONDS : Number(spec.expirationSeconds);
  if (!Number.isInteger(seconds) || seconds < MIN_SECONDS)
    throw invalid(
      'TokenRequest',
      name,
      [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.expirationSeconds',
          message: `Invalid value: ${seconds}: may not specify a duration less than 10 minutes`,
        },
      ],
      'authentication.k8s.io',
    );
  const audiences =
    Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences.map(String) : [TOKEN_ISSUER];
  const ref = spec.boundObjectRef as Rec | undefined;
  let pod: { name: string; uid: string } | undefined;
  if (ref) {
    if (ref.kind !== 'Pod')
      throw badRequest(`cannot bind token to object of kind ${String(ref.kind)}: only Pod is supported`);
    const bound = ctx.informer.lister('pods').get(namespace, String(ref.name ?? ''));
    if (!bound) throw notFound('pods', String(ref.name ?? ''));
    if (ref.uid && ref.uid !== bound.metadata.uid)
      throw badRequest(`the UID in the bound object reference (${String(ref.uid)}) does not match the UID in record`);
    pod = { name: bound.metadata.name, uid: bound.metadata.uid ?? '' };
  }
  const { token, claims } = ctx.tokenSigner.mint(
    { namespace, serviceaccount: { name, uid: sa.metadata.uid ?? '' }, ...(pod ? { pod } : {}) },
    { audiences, seconds: Math.min(seconds, MAX_SECONDS), nowMs: ctx.clock() },
  );
  const review: KubeObject = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name, namespace, creationTimestamp: null as never },
    spec: { audiences, expirationSeconds: claims.exp - claims.iat, ...(ref ? { boundObjectRef: ref } : {}) },
    status: { token, expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z') },
  };
  return review;
}
