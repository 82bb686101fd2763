/**
 * Paces the taint eviction of one node's pods. The first round evicts every pod at once,
 * as Kubernetes does; another round for the same node within the backoff waits (1 s,
 * doubled up to 30 s while the node stays not ready). Without it, a stale view (a Node
 * whose heartbeats the controller has not seen, its pods rewritten as soon as they are
 * marked for deletion) turns into a tight loop of eviction writes. Kubernetes, too,
 * rate-limits evictions per node (--node-eviction-rate).
 */

/** When the next eviction round of a node may run. */
export interface EvictionBackoff {
  /** How long (ms) the node's next eviction round must wait at `now`; 0 when it may run. */
  waitMs(node: string, now: number): number;
  /** Records an eviction round that marked pods for deletion at `now`. */
  evicted(node: string, now: number): void;
  /** Forgets the node (it is ready again, or gone). */
  reset(node: string): void;
}

/** Backoff bounds, in ms. */
export interface EvictionBackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export function createEvictionBackoff(options: EvictionBackoffOptions = {}): EvictionBackoff {
  const initialMs = options.initialMs ?? 1_000;
  const maxMs = options.maxMs ?? 30_000;
  const nodes = new Map<string, { next: number; delay: number }>();
  return {
    waitMs(node, now) {
      const state = nodes.get(node);
      return state ? Math.max(0, state.next - now) : 0;
    },
    evicted(node, now) {
      const state = nodes.get(node);
      const delay = state ? Math.min(state.delay * 2, maxMs) : initialMs;
      nodes.set(node, { next: now + delay, delay });
    },
    reset(node) {
      nodes.delete(node);
    },
  };
}
