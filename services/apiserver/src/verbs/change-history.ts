/**
 * The recent changes that watches replay from: a bounded ring fed by the informer.
 * A watch from resourceVersion N needs every change after N; the ring holds every change
 * after `floor` (the start sequence, then the last evicted change), so N < floor is
 * answered with 410 Expired and the client re-lists.
 */
import type { WatchChange } from './watch-filter.js';

/** Recent changes plus live subscription. */
export interface ChangeHistory {
  /** Every change with seq > `seq`, or undefined when the ring no longer reaches back that far. */
  since(seq: number): WatchChange[] | undefined;
  /** The sequence after which the ring is complete. */
  floor(): number;
  /** Calls `listener` for each change recorded from now on; returns its remover. */
  subscribe(listener: (change: WatchChange) => void): () => void;
  /** Records a change (the informer's onChange calls this). */
  record(change: WatchChange): void;
}

/** Creates a ring of `capacity` changes that is complete after `startSeq`. */
export function createChangeHistory(startSeq: number, capacity = 10_000): ChangeHistory {
  const ring: WatchChange[] = [];
  let head = 0; // index of the oldest entry once the ring is full
  let floor = startSeq;
  const listeners = new Set<(change: WatchChange) => void>();

  function ordered(): WatchChange[] {
    return ring.length < capacity ? ring : [...ring.slice(head), ...ring.slice(0, head)];
  }

  return {
    since(seq) {
      if (seq < floor) return undefined;
      const all = ordered();
      let lo = 0;
      let hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((all[mid] as WatchChange).seq <= seq) lo = mid + 1;
        else hi = mid;
      }
      return all.slice(lo);
    },
    floor: () => floor,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    record(change) {
      if (ring.length < capacity) ring.push(change);
      else {
        floor = (ring[head] as WatchChange).seq;
        ring[head] = change;
        head = (head + 1) % capacity;
      }
      for (const l of listeners) l(change);
    },
  };
}
