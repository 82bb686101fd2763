/**
 * Sandboxes left behind by pods that no longer exist (force-deleted while the agent was
 * down). Netns names are global to the host, so a pod netns counts as this node's only
 * when its host veth (`v<8 hex>`) sits in this node's netns; deleting it kills whatever
 * still runs inside.
 */
import { linkExists, listNetns } from '@kemu/netns';
import type { Logger } from '@kemu/log';
import type { PodSandbox } from './pod-sandbox.js';

/** Returns the sweep: keeps the sandboxes of `keepUids` (which may grow while it runs), removes this node's others. */
export function createOrphanSweep(o: { cluster: string; sandbox: PodSandbox; log: Logger }) {
  const prefix = `kemu-${o.cluster}-pod-`;
  return async (keepUids: ReadonlySet<string>): Promise<void> => {
    // Read at each netns, not once: a pod started while the sweep runs joins `keepUids`.
    const kept = (hex: string) => [...keepUids].some((u) => u.replaceAll('-', '').slice(0, 12) === hex);
    for (const netns of await listNetns()) {
      if (!netns.startsWith(prefix)) continue;
      const hex = netns.slice(prefix.length);
      if (kept(hex) || !(await linkExists(undefined, `v${hex.slice(0, 8)}`))) continue;
      o.log.info({ netns }, 'removing orphaned pod sandbox');
      await o.sandbox.delete(hex);
    }
  };
}
