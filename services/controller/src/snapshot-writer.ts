/**
 * The event-log snapshot writer: every N events, or once the records since the last
 * snapshot add up to B bytes (a big Service's EndpointSlice and Endpoints rewritten for
 * every pod change make a tail of a few hundred records but ~100 MB, which every process
 * starting would read), or every M minutes when fewer came, stores the controller's view (it follows every resource) with its stream sequence in
 * the KEMU_SNAPSHOTS Object Store, keeping the newest few, so every process starts from a
 * snapshot and consumes only the tail of the log. Kubernetes has no analogue (etcd keeps
 * the state itself); it is kemu's, named for what it writes.
 */
import type { EventLog, Informer, SnapshotStore } from '@kemu/eventlog';
import { STREAM, openSnapshotStore } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';

/** When snapshots are written and how many are kept. */
export interface SnapshotWriterOptions {
  /** Write once the view is this many events past the newest snapshot (0: only on the interval). */
  everyEvents: number;
  /** Write when this long has passed since the last write and any event came (0: only by count). */
  everyMs: number;
  /** Write once the records since the newest snapshot add up to this many bytes (0 or absent: not by size). */
  everyBytes?: number;
  /** Snapshots kept, newest first. */
  keep: number;
  /** How often the writer looks at the view (default 1 s). */
  checkMs?: number;
}

/** 5000 events, 16 MiB of records or 10 minutes, keeping 3. */
export const DEFAULT_SNAPSHOT_OPTIONS: SnapshotWriterOptions = {
  everyEvents: 5_000,
  everyBytes: 16 * 1024 * 1024,
  everyMs: 600_000,
  keep: 3,
};

/** A running snapshot writer. */
export interface SnapshotWriter {
  /** Sequence of the newest snapshot written or found (0: none). */
  lastSeq(): number;
  stop(): Promise<void>;
}

/** What the writer snapshots. */
export interface SnapshotWriterDeps {
  eventLog: EventLog;
  /** An informer over every resource (a filtered view would be a wrong snapshot). */
  informer: Informer;
  log: Logger;
  now?: () => number;
}

/** Starts writing snapshots once the informer has synced. */
export function startSnapshotWriter(deps: SnapshotWriterDeps, options: SnapshotWriterOptions): SnapshotWriter {
  const { eventLog, informer } = deps;
  const log = deps.log.child({ object: 'event-log-snapshots' });
  const now = deps.now ?? Date.now;
  let store: SnapshotStore | undefined;
  let lastSeq = 0;
  let lastWriteAt = now();
  let busy = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  // Record bytes of the changes past the newest snapshot (the informer reports each record's size).
  let tailBytes = 0;
  const stopCounting = informer.onAnyChange((change) => {
    if (change.seq > lastSeq) tailBytes += change.bytes ?? 0;
  });

  function due(seq: number): boolean {
    if (seq <= lastSeq) return false;
    if (options.everyEvents > 0 && seq - lastSeq >= options.everyEvents) return true;
    if (options.everyBytes && tailBytes >= options.everyBytes) return true;
    return options.everyMs > 0 && now() - lastWriteAt >= options.everyMs;
  }

  async function tick(): Promise<void> {
    if (busy || stopped) return;
    busy = true;
    try {
      if (!store) {
        store = await openSnapshotStore(eventLog, { create: true });
        const stream = (await eventLog.jsm.streams.info(STREAM)).created;
        lastSeq = (await store?.list())?.find((s) => s.stream === stream)?.seq ?? 0;
        log.info({ seq: lastSeq, ...options }, 'event-log snapshot writer started');
      }
      const seq = informer.view.seq;
      if (!store || !due(seq)) return;
      const started = now();
      const tail = tailBytes;
      const written = await store.write(informer.view, { keep: options.keep });
      lastSeq = written.seq;
      tailBytes = Math.max(0, tailBytes - tail);
      lastWriteAt = now();
      log.info(
        {
          seq: written.seq,
          bytes: written.size,
          tailBytes: tail,
          objects: informer.view.objects.size,
          ms: lastWriteAt - started,
        },
        'event-log snapshot written',
      );
    } catch (err) {
      log.warn({ err }, 'event-log snapshot not written; trying again');
    } finally {
      busy = false;
    }
  }

  void informer.synced.then(() => {
    if (stopped) return;
    timer = setInterval(() => {
      current = tick();
    }, options.checkMs ?? 1_000);
    timer.unref();
    current = tick();
  });

  return {
    lastSeq: () => lastSeq,
    async stop() {
      stopped = true;
      stopCounting();
      if (timer) clearInterval(timer);
      await current;
    },
  };
}
