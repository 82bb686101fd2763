/**
 * An informer: starts from the newest event-log snapshot (see snapshot.ts) or, without
 * one, from the log's first event, replays the rest into a View, then follows it live,
 * calling handlers after each applied change. Objects that came with the snapshot cause
 * no change: users list the view once synced, then follow (list then watch). It says when
 * it is synced (it has applied every event that existed when it started), the point
 * before which controllers must not act.
 * It reads through an ordered consumer, which the client recreates at the right
 * sequence after a reconnect or a missed heartbeat, so a restart of NATS or a partition
 * loses nothing.
 */
import type { Logger } from '@kemu/log';
import { DeliverPolicy } from '@nats-io/jetstream';
import { decodeEvent } from './envelope.js';
import type { EventLog } from './event-log.js';
import { type Change, type View, applyEvent } from './projection.js';
import { type SnapshotInfo, startingPoint } from './snapshot.js';
import { STREAM, SUBJECT_PREFIX, subjectsForResources } from './subjects.js';

/** How long one pull request of the informer's consumer lives on the server. */
const PULL_EXPIRES_MS = 5_000;

/** A live, replayed view of (part of) the log. */
export interface Informer {
  readonly view: View;
  /** The snapshot the view started from, if any. */
  readonly startedFrom?: SnapshotInfo;
  /** Resolves once every event that existed at start has been applied. */
  readonly synced: Promise<void>;
  isSynced(): boolean;
  /** Registers a handler called after each change; returns its remover. */
  onChange(handler: (change: Change) => void): () => void;
  /** Resolves true once the view has applied `seq` (or a later event), false on timeout. */
  waitForSeq(seq: number, timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** What an informer reads. */
export interface InformerOptions {
  /** Resources to follow; all when omitted. */
  resources?: readonly string[];
  log: Logger;
  /** Start from the newest event-log snapshot (default true); false replays the whole log. */
  useSnapshots?: boolean;
}

/** Starts an informer over the log. */
export async function startInformer(eventLog: EventLog, options: InformerOptions): Promise<Informer> {
  const { log } = options;
  // Throws SnapshotGapError when the log has lost events no snapshot covers.
  const start = await startingPoint(eventLog, { log, useSnapshots: options.useSnapshots });
  const view = start.view;
  const handlers = new Set<(c: Change) => void>();
  const waiters = new Set<{ seq: number; resolve: (ok: boolean) => void }>();
  let synced = false;
  let resolveSynced!: () => void;
  const syncedPromise = new Promise<void>((r) => {
    resolveSynced = r;
  });
  let streamSeqSeen = view.seq;

  // nats-server 2.9 takes one filter subject per consumer: several resources are read
  // through the whole-log filter and the rest is dropped here.
  const subjects = options.resources ? subjectsForResources(options.resources) : [`${SUBJECT_PREFIX}.>`];
  const wanted = options.resources ? new Set(options.resources) : undefined;
  if (wanted) {
    // A snapshot holds every resource: keep only the followed ones, as replay would.
    for (const map of [view.objects, view.lastSeq])
      for (const k of map.keys()) if (!wanted.has(k.slice(0, k.indexOf('/')))) map.delete(k);
  }
  const consumer = await eventLog.js.consumers.get(STREAM, {
    filter_subjects: subjects.length === 1 ? (subjects[0] as string) : `${SUBJECT_PREFIX}.>`,
    ...(view.seq > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: view.seq + 1 }
      : { deliver_policy: DeliverPolicy.All }),
  });
  // Pull requests expire after 5 s (the client's default is 30 s): a pull lost with a dead
  // connection (a partition) is then replaced within seconds of the heal, not half a minute.
  const messages = await consumer.consume({ max_messages: 1000, expires: PULL_EXPIRES_MS });

  function markSynced(): void {
    if (synced) return;
    synced = true;
    log.info({ seq: view.seq }, 'informer synced');
    resolveSynced();
  }

  function release(): void {
    for (const w of waiters) {
      if (streamSeqSeen >= w.seq) {
        waiters.delete(w);
        w.resolve(true);
      }
    }
  }

  // The stream's sequence at start bounds what "synced" means.
  const info = await consumer.info(true).catch(() => undefined);
  if (info && info.num_pending === 0) markSynced();

  const loop = (async () => {
    for await (const m of messages) {
      streamSeqSeen = m.seq;
      try {
        if (!wanted || wanted.has(m.subject.split('.')[2] ?? '')) {
          const change = applyEvent(view, m.seq, decodeEvent(m.data));
          if (change) for (const h of handlers) safeCall(h, change);
        }
      } catch (err) {
        log.error({ err, seq: m.seq, subject: m.subject }, 'skipping undecodable event');
        view.seq = Math.max(view.seq, m.seq);
      }
      if (m.info.pending === 0) markSynced();
      release();
    }
  })();

  function safeCall(h: (c: Change) => void, c: Change): void {
    try {
      h(c);
    } catch (err) {
      log.error({ err, key: c.key }, 'change handler failed');
    }
  }

  return {
    view,
    startedFrom: start.snapshot,
    synced: syncedPromise,
    isSynced: () => synced,
    onChange(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    waitForSeq(seq, timeoutMs = 5_000) {
      if (streamSeqSeen >= seq || view.seq >= seq) return Promise.resolve(true);
      return new Promise((resolve) => {
        const w = { seq, resolve };
        waiters.add(w);
        setTimeout(() => {
          if (waiters.delete(w)) resolve(false);
        }, timeoutMs).unref();
      });
    },
    async stop() {
      await messages.close();
      await loop.catch(() => undefined);
    },
  };
}
