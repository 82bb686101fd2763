/**
 * ServiceAccount token authentication, as kube-apiserver's serviceaccount authenticator:
 * a token signed by the cluster's key, for the apiserver's audience, not expired, whose
 * ServiceAccount still exists with the uid in the token and, when it is bound to a pod,
 * whose pod still exists with its uid and is not being deleted. The user is
 * `system:serviceaccount:<ns>:<name>` in the ServiceAccount groups.
 */
import type { Informer } from '@kemu/eventlog';
import type { TokenSigner } from './service-account-token.js';
import { type UserInfo, serviceAccountGroups } from './user-info.js';

/** Turns a bearer token into a ServiceAccount user, or undefined. */
export interface ServiceAccountAuthenticator {
  authenticate(token: string): UserInfo | undefined;
}

/** An authenticator of tokens `signer` issued, checked against the informer's view. */
export function createServiceAccountAuthenticator(
  signer: TokenSigner,
  informer: Informer,
  clock: () => number,
): ServiceAccountAuthenticator {
  return {
    authenticate(token) {
      const claims = signer.verify(token, clock());
      if (!claims) return undefined;
      const k = claims['kubernetes.io'];
      const sa = informer.lister('serviceaccounts').get(k.namespace, k.serviceaccount.name);
      if (!sa || (k.serviceaccount.uid && sa.metadata.uid !== k.serviceaccount.uid)) return undefined;
      if (k.pod) {
        const pod = informer.lister('pods').get(k.namespace, k.pod.name);
        if (!pod || pod.metadata.uid !== k.pod.uid || pod.metadata.deletionTimestamp) return undefined;
      }
      return { name: claims.sub, uid: sa.metadata.uid ?? '', groups: serviceAccountGroups(k.namespace) };
    },
  };
}
