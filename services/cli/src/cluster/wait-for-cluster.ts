/**
 * Waits for a fresh cluster: the apiserver answers /readyz, then GET /api/v1/nodes shows
 * every expected node Ready. Reports progress once a second while something changes.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** How often readiness is polled: short, since `up` waits on it (a 2 s start-up) and each check is one local request. */
const POLL_MS = 50;
import { createApiClient } from '../client/api-client.js';
import { WaitTimeoutError } from '../errors.js';
import type { Progress } from '../format/progress.js';

interface NodeList {
  items?: { metadata?: { name?: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}

/** Names of nodes whose Ready condition is True. */
export function readyNodeNames(list: NodeList): string[] {
  return (list.items ?? [])
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata?.name ?? '')
    .filter(Boolean);
}

/** Waits for /readyz and all `nodes` Ready within `timeoutMs`; `check` may abort by throwing. */
export async function waitForCluster(o: {
  server: string;
  token: string;
  /** PEM of the cluster CA. */
  ca: string;
  nodes: string[];
  timeoutMs: number;
  progress: Progress;
  check?: () => Promise<void>;
}): Promise<void> {
  const api = createApiClient(o.server, { token: o.token, ca: o.ca, timeoutMs: 2_000 });
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;

  o.progress.step(`waiting for the apiserver at ${o.server}`);
  let lastNote = '';
  const note = (text: string) => {
    if (text !== lastNote) o.progress.detail(`${text} (${elapsed()})`);
    lastNote = text;
  };
  while (!(await api.isOk('/readyz'))) {
    await o.check?.();
    if (Date.now() > deadline)
      throw new WaitTimeoutError(`the apiserver at ${o.server} did not become ready within ${o.timeoutMs / 1000}s`);
    note('apiserver not ready yet');
    await sleep(POLL_MS);
  }

  o.progress.step(`waiting for ${o.nodes.length} nodes to be Ready`);
  for (;;) {
    let ready: string[] = [];
    try {
      ready = readyNodeNames(await api.getJson<NodeList>('/api/v1/nodes'));
    } catch {
      // Not answering for a moment (restart): keep waiting.
    }
    const missing = o.nodes.filter((n) => !ready.includes(n));
    if (missing.length === 0) {
      o.progress.detail(`${o.nodes.length}/${o.nodes.length} nodes Ready (${elapsed()})`);
      return;
    }
    await o.check?.();
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(`nodes not Ready within ${o.timeoutMs / 1000}s: ${missing.join(', ')}`);
    }
    note(`${o.nodes.length - missing.length}/${o.nodes.length} nodes Ready, waiting for ${missing.join(', ')}`);
    await sleep(POLL_MS);
  }
}
