/**
 * The recent changes that watches and paginated lists replay from, one bounded ring per
 * resource as kube-apiserver keeps a watch cache per resource: a burst of Events or of
 * EndpointSlice rewrites does not expire a pod watcher's resourceVersion.
 *
 * A ring is bounded by its number of changes and by the bytes it holds: each change's
 * encoded form (below). Whole objects made the old single ring of 10 000 changes cost
 * gigabytes once a 1000-pod Service churned its Endpoints; a byte budget keeps it to a
 * few megabytes a resource. The budget counted the log record's size at first, but a
 * ring keeps object and old object, whole, where a node's status record is only a
 * status: the rings held 47 MiB under budgets summing to far less at 3000 pods. A ring
 * holds every change of its resource after its `floor` (the start sequence, then the
 * last evicted change), so a resourceVersion below it is answered with 410 Expired and
 * the client re-lists, as after etcd's compaction.
 *
 * The rings together are bounded too (totalBytes): 4 MiB for each resource that churns
 * (pods, their Events, EndpointSlices, Leases, ReplicaSets, …) came to 22 MiB, 40% of the
 * apiserver's live heap in a 3000-pod cluster. Past the total, the ring holding the most
 * bytes gives up its oldest change, so a burst of one resource still costs that
 * resource's history first, and a quiet resource keeps all of its own.
 *
 * A ring holds each change encoded (msgpack of its object and old object), decoded when a
 * watch resumes or a later page is listed: decoded, the rings cost ~5 times their record
 * bytes (heap 211 MiB after one 1000-pod churn, 47 MiB with no history); live watchers
 * get the change itself, never a decoded copy.
 */
// The JS entry of msgpackr, without the native string extractor (see @kemu/eventlog's envelope.ts).
import { Packr } from 'msgpackr/pack';
import type { WatchChange } from './watch-filter.js';

/** Recent changes plus live subscription. */
export interface ChangeHistory {
  /** Every change of `resource` with seq > `seq`, or undefined when its ring no longer reaches back that far. */
  since(seq: number, resource: string): WatchChange[] | undefined;
  /** The sequence after which the ring of `resource` is complete. */
  floor(resource: string): number;
  /** Calls `listener` for each change recorded from now on; returns its remover. */
  subscribe(listener: (change: WatchChange) => void): () => void;
  /** Records a change (the informer's onChange calls this). */
  record(change: WatchChange): void;
}

/** How much each resource's ring keeps. */
export interface HistoryLimits {
  /** Changes per resource (default 10 000). */
  changes?: number;
  /** Bytes of encoded changes per resource (default 4 MiB). */
  bytes?: number;
  /** Bytes of encoded changes of all resources together (default 12 MiB, and never less than `bytes`). */
  totalBytes?: number;
}

export const DEFAULT_HISTORY_LIMITS: Required<HistoryLimits> = {
  changes: 10_000,
  bytes: 4 * 1024 * 1024,
  totalBytes: 12 * 1024 * 1024,
};

/** A change as a ring keeps it: its object and old object encoded together, at `start`–`end` of a shared chunk. */
interface PackedChange {
  type: WatchChange['type'];
  seq: number;
  key: WatchChange['key'];
  chunk: Buffer;
  start: number;
  end: number;
}

const packr = new Packr({ useRecords: false, moreTypes: false });

/**
 * Bytes of the chunks a ring copies its encoded changes into. One small buffer per
 * change cost an ArrayBuffer, a typed array and a malloc'd backing store each, and the
 * ring's churn fragmented malloc's heap: a 4 MiB ring of Lease renewals took 21 MiB of
 * RSS. A chunk is freed once the ring has evicted every change in it (they go in order).
 */
const CHUNK_BYTES = 256 * 1024;

function unpackChange(p: PackedChange): WatchChange {
  const [object, old] = packr.unpack(p.chunk.subarray(p.start, p.end)) as [WatchChange['object'], WatchChange['old']];
  return { type: p.type, seq: p.seq, key: p.key, object, old: old ?? undefined };
}

interface Ring {
  /** The chunk new changes are copied into, and how much of it is used. */
  chunk: Buffer;
  used: number;
  /** Evicted slots (before `head`) hold undefined until the next compaction. */
  entries: (PackedChange | undefined)[];
  sizes: number[];
  /** Index of the oldest live entry (entries before it are evicted, compacted now and then). */
  head: number;
  bytes: number;
  floor: number;
}

const EMPTY = Buffer.alloc(0);

/** Creates the rings, complete after `startSeq`. */
export function createChangeHistory(startSeq: number, limits: HistoryLimits = {}): ChangeHistory {
  const maxChanges = Math.max(1, limits.changes ?? DEFAULT_HISTORY_LIMITS.changes);
  const maxBytes = limits.bytes ?? DEFAULT_HISTORY_LIMITS.bytes;
  const maxTotal = limits.totalBytes ?? Math.max(DEFAULT_HISTORY_LIMITS.totalBytes, maxBytes);
  const rings = new Map<string, Ring>();
  /** Bytes held by all rings (invariant: the sum of their `bytes`). */
  let total = 0;
  const listeners = new Set<(change: WatchChange) => void>();

  function ringOf(resource: string): Ring {
    let ring = rings.get(resource);
    if (!ring) {
      ring = { chunk: EMPTY, used: 0, entries: [], sizes: [], head: 0, bytes: 0, floor: startSeq };
      rings.set(resource, ring);
    }
    return ring;
  }

  /** Encodes `c` into the ring's chunk (a new chunk when it does not fit). */
  function packChange(ring: Ring, c: WatchChange): PackedChange {
    // A view into a buffer the next pack reuses: copied into the chunk before the next.
    const bytes = packr.pack([c.object, c.old]);
    if (ring.used + bytes.length > ring.chunk.length) {
      ring.chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, bytes.length));
      ring.used = 0;
    }
    const start = ring.used;
    bytes.copy(ring.chunk, start);
    ring.used += bytes.length;
    return { type: c.type, seq: c.seq, key: c.key, chunk: ring.chunk, start, end: ring.used };
  }

  function evictOldest(ring: Ring): void {
    ring.floor = (ring.entries[ring.head] as PackedChange).seq;
    ring.bytes -= ring.sizes[ring.head] as number;
    total -= ring.sizes[ring.head] as number;
    // Dropped at once, not at the next compaction: 1000 evicted Endpoints of 1000
    // addresses each held half a gigabyte until then.
    ring.entries[ring.head] = undefined;
    ring.head += 1;
    if (ring.head > 1024 && ring.head * 2 > ring.entries.length) {
      ring.entries = ring.entries.slice(ring.head);
      ring.sizes = ring.sizes.slice(ring.head);
      ring.head = 0;
    }
  }

  /** The ring holding the most bytes that has a change besides its newest to give up. */
  function largestRing(): Ring | undefined {
    let largest: Ring | undefined;
    for (const ring of rings.values())
      if (ring.entries.length - ring.head > 1 && (!largest || ring.bytes > largest.bytes)) largest = ring;
    return largest;
  }

  return {
    since(seq, resource) {
      const ring = rings.get(resource);
      if (!ring) return seq < startSeq ? undefined : [];
      if (seq < ring.floor) return undefined;
      const all = ring.entries;
      let lo = ring.head;
      let hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((all[mid] as PackedChange).seq <= seq) lo = mid + 1;
        else hi = mid;
      }
      return (all.slice(lo) as PackedChange[]).map(unpackChange);
    },
    floor: (resource) => rings.get(resource)?.floor ?? startSeq,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    record(change) {
      const ring = ringOf(change.key.resource);
      const packed = packChange(ring, change);
      const size = packed.end - packed.start;
      ring.entries.push(packed);
      ring.sizes.push(size);
      ring.bytes += size;
      total += size;
      // The newest change always stays: a watch from the latest version must resume.
      while (
        ring.entries.length - ring.head > 1 &&
        (ring.entries.length - ring.head > maxChanges || ring.bytes > maxBytes)
      )
        evictOldest(ring);
      while (total > maxTotal) {
        const largest = largestRing();
        if (!largest) break;
        evictOldest(largest);
      }
      for (const l of listeners) l(change);
    },
  };
}
