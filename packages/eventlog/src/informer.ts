/**
 * An informer: replays the event log into a View, then follows it live, calling
 * handlers after each applied change. It says when it is synced (it has applied every
 * event that existed when it started), the point before which controllers must not act.
 * It reads through an ordered consumer, which the client recreates at the right
 * sequence after a reconnect or a missed heartbeat, so a restart of NATS or a partition
 * loses nothing.
 */
import type { Logger } from '@kemu/log';
import { DeliverPolicy } from '@nats-io/jetstream';
import { decodeEvent } from './envelope.js';
import type { EventLog } from './event-log.js';
import { type Change, type View, applyEvent, createView } from './projection.js';
import { STREAM, SUBJECT_PREFIX, subjectsForResources } from './subjects.js';

/** How often the informer checks that it keeps up with the stream (see the stall watchdog). */
const STALL_CHECK_MS = 4_000;

/** A live, replayed view of (part of) the log. */
export interface Informer {
  readonly view: View;
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
}

/** Starts an informer over the log. */
export async function startInformer(eventLog: EventLog, options: InformerOptions): Promise<Informer> {
  const { log } = options;
  const view = createView();
  const handlers = new Set<(c: Change) => void>();
  const waiters = new Set<{ seq: number; resolve: (ok: boolean) => void }>();
  let synced = false;
  let resolveSynced!: () => void;
  const syncedPromise = new Promise<void>((r) => {
    resolveSynced = r;
  });
  let streamSeqSeen = 0;

  // nats-server 2.9 takes one filter subject per consumer: several resources are read
  // through the whole-log filter and the rest is dropped here.
  const subjects = options.resources ? subjectsForResources(options.resources) : [`${SUBJECT_PREFIX}.>`];
  const wanted = options.resources ? new Set(options.resources) : undefined;
  const filter = subjects.length === 1 ? (subjects[0] as string) : `${SUBJECT_PREFIX}.>`;
  /** An ordered consumer from the start of the log, or from `seq` when it is recreated. */
  const open = async (seq: number) => {
    const c = await eventLog.js.consumers.get(STREAM, {
      filter_subjects: filter,
      ...(seq > 1
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seq }
        : { deliver_policy: DeliverPolicy.All }),
    });
    return { consumer: c, messages: await c.consume({ max_messages: 1000 }) };
  };
  let { consumer, messages } = await open(1);

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

  let stopping = false;
  const loop = (async () => {
    for (;;) {
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
      if (stopping) return;
      // The consumer was stopped by the stall watchdog (or ended): follow on from here.
      for (;;) {
        try {
          ({ consumer, messages } = await open(streamSeqSeen + 1));
          log.info({ seq: streamSeqSeen }, 'informer consumer recreated');
          break;
        } catch (err) {
          if (stopping) return;
          log.warn({ err }, 'informer consumer not recreated yet');
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    }
  })();

  // Stall watchdog. When the NATS server holding the ordered consumer dies, the client
  // may keep asking that consumer for its info and never recreate it (it only does on
  // "consumer not found"), leaving the view stale while the log moves on. Every few
  // seconds the consumer is asked for its pending count; when it cannot answer or has
  // events pending and none arrived since the previous check, it is replaced by a new
  // consumer from the next sequence.
  let seenAtLastCheck = -1;
  let checking = false;
  const watchdog = setInterval(() => {
    if (stopping || checking) return;
    checking = true;
    void (async () => {
      const info = await consumer.info().catch(() => undefined);
      if (info && info.num_pending === 0) {
        seenAtLastCheck = -1;
      } else if (seenAtLastCheck === streamSeqSeen) {
        log.warn({ seen: streamSeqSeen, pending: info?.num_pending }, 'informer stalled: recreating its consumer');
        seenAtLastCheck = -1;
        await messages.close().catch(() => undefined);
      } else {
        seenAtLastCheck = streamSeqSeen;
      }
    })().finally(() => {
      checking = false;
    });
  }, STALL_CHECK_MS);
  watchdog.unref();

  function safeCall(h: (c: Change) => void, c: Change): void {
    try {
      h(c);
    } catch (err) {
      log.error({ err, key: c.key }, 'change handler failed');
    }
  }

  return {
    view,
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
      stopping = true;
      clearInterval(watchdog);
      await messages.close();
      await loop.catch(() => undefined);
    },
  };
}
