/**
 * An informer: starts from the newest event-log snapshot (see snapshot.ts) or, without
 * one, from the log's first event, replays the rest into a View, then follows it live,
 * calling handlers after each applied change. Objects that came with the snapshot cause
 * no change: users list the view once synced, then follow (list then watch). It says when
 * it is synced (it has applied every event that existed when it started), the point
 * before which controllers must not act.
 * It reads through an ordered consumer, which the client recreates at the right
 * sequence after a reconnect or a missed heartbeat, so a restart of NATS or a partition
 * loses nothing. When that consumer stalls (it died with a NATS cluster member, and a new
 * one cannot be created until the cluster has elected its leaders), the informer reads
 * the events it misses one by one with direct gets, which any replica of the stream
 * answers: a writer sees its own write, and a controller its nodes' heartbeats, as soon
 * as the stream takes writes again.
 */
import type { Logger } from '@kemu/log';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { decodeEvent } from './envelope.js';
import type { EventLog } from './event-log.js';
import { type Change, type View, applyEvent } from './projection.js';
import { type SnapshotInfo, startingPoint } from './snapshot.js';
import { STREAM, SUBJECT_PREFIX, subjectsForResources } from './subjects.js';

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

/** How long an informer that is behind may go without a new event before its consumer is replaced. */
const STALL_MS = 2_000;

/**
 * Timeout of the requests that replace a stalled consumer and read missed events
 * directly. Short: while a NATS cluster elects a new leader after losing one, these
 * requests go unanswered, and a new try right after the election beats waiting out the
 * default 5 s (the library's ordered consumer waits a timeout plus its pull expiry
 * between tries). The first consumer is created with the default timeout.
 */
const CONSUMER_API_TIMEOUT_MS = 1_500;

/** How long starting an informer retries creating its first consumer (a NATS cluster may be electing). */
const OPEN_RETRY_MS = 30_000;

/** How long a waiter for a sequence waits for the consumer before the events are read directly. */
const CATCH_UP_AFTER_MS = 300;

/** Events read directly per catch-up (it goes on at the next one). */
const CATCH_UP_MAX = 500;

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
  const filter = subjects.length === 1 ? (subjects[0] as string) : `${SUBJECT_PREFIX}.>`;
  let lastProgressAt = Date.now();
  let stopped = false;

  const jsFast = jetstream(eventLog.nc, { timeout: CONSUMER_API_TIMEOUT_MS });
  const jsm = await jetstreamManager(eventLog.nc, { timeout: CONSUMER_API_TIMEOUT_MS, checkAPI: false });

  async function open(fromSeq: number, js = jsFast) {
    const consumer = await js.consumers.get(STREAM, {
      filter_subjects: filter,
      ...(fromSeq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    // Pulls expire after 3 s, so the idle heartbeat is 1.5 s and a consumer lost with its
    // server (a NATS cluster member killed) is noticed and recreated after two missed
    // heartbeats, ~3 s, instead of the default 30 s pull's ~30 s.
    const messages = await consumer.consume({ max_messages: 1000, expires: 3_000 });
    void (async () => {
      for await (const st of messages.status()) {
        if (
          st.type === 'heartbeats_missed' ||
          st.type === 'ordered_consumer_recreated' ||
          st.type === 'consumer_not_found'
        )
          log.warn({ status: st, seq: streamSeqSeen }, 'informer consumer status');
      }
    })().catch(() => undefined);
    return { consumer, messages };
  }

  // The first consumer: creation can time out for a while after a NATS cluster lost a
  // member (the meta leader may still place it on the dead server), so it is retried.
  const openDeadline = Date.now() + OPEN_RETRY_MS;
  let current: Awaited<ReturnType<typeof open>>;
  for (;;) {
    try {
      current = await open(view.seq, eventLog.js);
      break;
    } catch (err) {
      if (Date.now() > openDeadline) throw err;
      log.warn({ err, seq: view.seq }, 'informer consumer not created; retrying');
      await new Promise((r) => setTimeout(r, 500));
    }
  }

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
  const info = await current.consumer.info(true).catch(() => undefined);
  if (info && info.num_pending === 0) markSynced();

  /** Applies the event at `seq` unless it was applied already (by the consumer or a direct read); false then. */
  function apply(seq: number, subject: string, data: Uint8Array): boolean {
    if (seq <= streamSeqSeen) return false;
    streamSeqSeen = seq;
    lastProgressAt = Date.now();
    try {
      if (!wanted || wanted.has(subject.split('.')[2] ?? '')) {
        const change = applyEvent(view, seq, decodeEvent(data));
        if (change) for (const h of handlers) safeCall(h, change);
      }
    } catch (err) {
      log.error({ err, seq, subject }, 'skipping undecodable event');
      view.seq = Math.max(view.seq, seq);
    }
    return true;
  }

  async function follow(messages: typeof current.messages): Promise<void> {
    for await (const m of messages) {
      const applied = apply(m.seq, m.subject, m.data);
      if (m.info.pending === 0) markSynced();
      if (applied) release();
    }
  }

  /**
   * Reads the events after the last applied one with direct gets (next message matching
   * the filter), up to CATCH_UP_MAX; returns how many it applied, or undefined when the
   * stream did not answer. One catch-up at a time.
   */
  let catchingUp: Promise<number | undefined> | undefined;
  function catchUp(): Promise<number | undefined> {
    catchingUp ??= (async () => {
      let applied = 0;
      try {
        while (!stopped && applied < CATCH_UP_MAX) {
          const m = await jsm.direct.getMessage(STREAM, { seq: streamSeqSeen + 1, next_by_subj: filter });
          if (!m) break;
          if (apply(m.seq, m.subject, m.data)) applied++;
          release();
        }
        if (applied > 0) log.info({ applied, seq: streamSeqSeen }, 'informer caught up with direct reads');
        return applied;
      } catch (err) {
        log.debug({ err, applied }, 'informer direct read failed');
        return applied > 0 ? applied : undefined;
      }
    })().finally(() => {
      catchingUp = undefined;
    });
    return catchingUp;
  }

  let loop = follow(current.messages);

  /**
   * A stall watchdog. After a NATS cluster member dies, an ordered consumer can sit on a
   * replica that delivers nothing new while still answering pulls (seen with 2.10), so no
   * heartbeat is missed. When nothing arrived for STALL_MS, the events the log has after
   * the last applied one are read directly; when there were some, or a writer waits for
   * its own write, the consumer is replaced by a new one from the last applied sequence
   * (RELIABILITY.md 3.4).
   */
  async function checkStall(): Promise<void> {
    if (stopped || Date.now() - lastProgressAt < STALL_MS) return;
    const applied = await catchUp();
    let behind = (applied ?? 0) > 0 || [...waiters].some((w) => w.seq > streamSeqSeen);
    if (applied === undefined && !behind && filter === `${SUBJECT_PREFIX}.>`) {
      // No direct reads (a stream without allow_direct, or no answer): ask the stream.
      const last = await eventLog.jsm.streams
        .info(STREAM)
        .then((i) => i.state.last_seq)
        .catch(() => 0);
      behind = last > streamSeqSeen;
    }
    if (!behind || stopped) {
      // Up to date as of now: look again only after another quiet STALL_MS.
      lastProgressAt = Date.now();
      return;
    }
    log.warn(
      { seq: streamSeqSeen, stalledMs: Date.now() - lastProgressAt },
      'informer stalled; recreating its consumer',
    );
    const old = current;
    try {
      current = await open(streamSeqSeen);
    } catch (err) {
      log.warn({ err }, 'informer consumer not recreated; will retry');
      return;
    }
    lastProgressAt = Date.now();
    await old.messages.close().catch(() => undefined);
    const previous = loop;
    loop = previous.catch(() => undefined).then(() => follow(current.messages));
  }
  let checking = false;
  const watchdog = setInterval(() => {
    if (checking) return;
    checking = true;
    void checkStall().finally(() => {
      checking = false;
    });
  }, STALL_MS / 2);
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
        // The consumer normally delivers a write in milliseconds; if not, read it directly.
        setTimeout(() => {
          if (waiters.has(w)) void catchUp();
        }, CATCH_UP_AFTER_MS).unref();
        setTimeout(() => {
          if (waiters.delete(w)) resolve(false);
        }, timeoutMs).unref();
      });
    },
    async stop() {
      stopped = true;
      clearInterval(watchdog);
      await current.messages.close();
      await loop.catch(() => undefined);
    },
  };
}
