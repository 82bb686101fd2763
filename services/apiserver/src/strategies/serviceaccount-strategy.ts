/** ServiceAccounts: no status, and a `token` subresource (TokenRequest, verbs/token-request.ts). */
import { defaultStrategy } from './default-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';

/** The strategy of serviceaccounts. */
export const serviceAccountStrategy: ResourceStrategy = {
  ...defaultStrategy,
  subresources: [
    { name: 'token', kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1' },
  ],
};
