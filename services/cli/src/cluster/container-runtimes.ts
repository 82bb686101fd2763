/**
 * The container runtimes of a cluster's nodes (`<state dir>/containers/<node>`, one per
 * node-agent): `kemu down` removes them all, so no container, monitor, runc state,
 * overlay mount or volume of a pod outlives its cluster, even after a crashed agent.
 */
import { removeRuntime } from '@kemu/containers';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Removes every node runtime under `stateDir`; returns how many containers went. */
export async function removeContainerRuntimes(stateDir: string): Promise<number> {
  const root = join(stateDir, 'containers');
  let removed = 0;
  for (const node of await readdir(root).catch(() => [] as string[])) removed += await removeRuntime(join(root, node));
  return removed;
}
