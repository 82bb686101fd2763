/** Writes a cluster's kubeconfig with mode 0600 (it holds the admin token). */
import { chmod } from 'node:fs/promises';
import { renderKubeconfig } from './kubeconfig.js';
import { writeFileAtomic } from '../state-store.js';

/** Writes the kubeconfig file for a cluster, readable by its owner only. */
export async function writeKubeconfig(
  path: string,
  o: { cluster: string; server: string; token: string; caPem: string },
): Promise<void> {
  await writeFileAtomic(path, renderKubeconfig(o), 0o600);
  await chmod(path, 0o600);
}
