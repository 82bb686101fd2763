/** The apiserver of a running cluster as the CLI reaches it: https on 127.0.0.1, the cluster CA, the admin token. */
import { type ApiClient, createApiClient } from './api-client.js';
import { readCaCert } from '../cluster/cluster-pki.js';
import type { ClusterConfig } from '../cluster/components.js';

/** The URL of a cluster's apiserver on the host. */
export function apiserverUrl(port: number): string {
  return `https://127.0.0.1:${port}`;
}

/** A client for the cluster's apiserver; the CA comes from the state directory. */
export async function clusterApiClient(
  stateDir: string,
  config: ClusterConfig,
  timeoutMs?: number,
): Promise<ApiClient> {
  const ca = await readCaCert(stateDir);
  return createApiClient(apiserverUrl(config.apiserverPort), { token: config.token, ca, timeoutMs });
}
