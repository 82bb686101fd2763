/**
 * An informer: starts from the newest event-log snapshot (see snapshot.ts) or, without
 * one, from the log's first event, replays the rest into a View, then follows it live,
 * calling handlers after each applied change. Objects that came with the snapshot cause
 * no change: users list the view once synced, then follow (list then watch). It says when
 * it is synced (it has applied every event that existed when it started), the point
 * before which controllers must not act.
 * Its parts: the follower reads through an ordered consumer (follower.ts); when that
 * consumer stalls, the stall watchdog (stall-watchdog.ts) reads the missed events with
 * direct gets (catch-up.ts) and replaces the consumer; writers wait for their own writes
 * with the sequence waiters (seq-waiters.ts). Every event, however it arrived, is applied
 * once, here, in sequence order. It reads only what it follows (follow-set.ts): the
 * server filters the consumer, so sequences have gaps, and "seen up to" is a stream
 * sequence — the last delivered one, or the stream's last one once a read from the leader
 * found no followed event after the applied one. A record the projection refuses (a
 * node's status for a pod not bound to it: docs/subject-layout.md) is counted and logged.
 * The replay before synced goes in batches whose superseded records are not decoded
 * (tail-compaction.ts): a restart replays the last version of a rewritten object only.
 */
import { type ObjectKey, type ResourceName, type ResourceTypes, keyString } from '@kemu/api';
import type { Logger } from '@kemu/log';
import { jetstreamManager } from '@nats-io/jetstream';
import { type StoredEvent, createCatchUp } from './catch-up.js';
import { type Clock, systemClock } from './clock.js';
import { decodeEvent } from './envelope.js';
import { EventDecodeError } from './errors.js';
import type { EventLog } from './event-log.js';
import { createFollowSet } from './follow-set.js';
import { createFollowedReads } from './followed-reads.js';
import { startFollower } from './follower.js';
import { type IndexFunc, type Lister, createListers } from './listers.js';
import { type Change, type View, foldRecord } from './projection.js';
import { type ResourceEventHandler, createHandlerRegistry } from './resource-handlers.js';
import { createSeqWaiters } from './seq-waiters.js';
import { type SnapshotInfo, startingPoint } from './snapshot.js';
import { type SecretCipher, openSealedObjects } from './secret-encryption.js';
import { startStallWatchdog } from './stall-watchdog.js';
import { supersededRecords } from './tail-compaction.js';
import { STREAM, SUBJECT_PREFIX, keyFromSubject, nodeKeyFromSubject } from './subjects.js';

/** A live, replayed view of (part of) the log. */
export interface Informer {
  readonly view: View;
  /** The snapshot the view started from, if any. */
  readonly startedFrom?: SnapshotInfo;
  /** Resolves once every event that existed at start has been applied. */
  readonly synced: Promise<void>;
  isSynced(): boolean;
  /** Registers typed handlers of one resource's changes; returns their remover. */
  on<R extends ResourceName>(resource: R, handler: ResourceEventHandler<ResourceTypes[R]>): () => void;
  /** Registers a handler of every change of every resource, for consumers generic over resources (the apiserver's watch cache); returns its remover. */
  onAnyChange(handler: (change: Change) => void): () => void;
  /** Typed list/get/by-index access to one resource. */
  lister<R extends ResourceName>(resource: R): Lister<ResourceTypes[R]>;
  /** Adds an index on a resource for `lister(resource).byIndex(name, value)`; adding it again does nothing. */
  addIndex<R extends ResourceName>(resource: R, name: string, fn: IndexFunc<ResourceTypes[R]>): void;
  /** Records skipped since start because they were not kemu events (garbage, truncated, another schema). */
  skippedEvents(): number;
  /** Records the projection refused since start (a node's status for a pod not bound to it, a stale status). */
  refusedEvents(): number;
  /** Whether the informer follows events of this object (a writer waits only for those). */
  follows(key: ObjectKey): boolean;
  /** Resolves true once the view has applied `seq` (or a later event), false on timeout. */
  waitForSeq(seq: number, timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** What an informer reads. */
export interface InformerOptions {
  /** Resources to follow; with `objects` omitted too, the whole log. */
  resources?: readonly string[];
  /** Single objects to follow besides `resources` (a proxy's own pod). */
  objects?: readonly ObjectKey[];
  /** Follow the pod status records of this node only (a node-agent); default every node's. */
  node?: string;
  log: Logger;
  /** Start from the newest event-log snapshot (default true); false replays the whole log. */
  useSnapshots?: boolean;
  /** Now and timers (default: the system clock). */
  clock?: Clock;
  /** Decrypts Secrets (apiserver, node-agent); without it they stay sealed in the view. */
  cipher?: SecretCipher;
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

/** Records, and their bytes, of the replay before synced compacted together (tail-compaction.ts); bound the memory held. */
const REPLAY_BATCH = 5_000;
const REPLAY_BATCH_BYTES = 4 * 1024 * 1024;

/** Events read directly per catch-up (it goes on at the next one). */
const CATCH_UP_MAX = 500;

/** Starts an informer over the log. */
export async function startInformer(eventLog: EventLog, options: InformerOptions): Promise<Informer> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  // Throws SnapshotGapError when the log has lost events no snapshot covers.
  const start = await startingPoint(eventLog, { log, useSnapshots: options.useSnapshots });
  const view = start.view;
  const loadedAt = clock.now();
  const fromSeq = view.seq;
  const handlers = createHandlerRegistry(log);
  const listers = createListers(view);
  let synced = false;
  let resolveSynced!: () => void;
  const syncedPromise = new Promise<void>((r) => {
    resolveSynced = r;
  });
  /** The last sequence applied or skipped (events of other resources included). */
  let streamSeqSeen = view.seq;
  let stopped = false;
  /** Records that were not kemu events, skipped (invariant: each counted once, by sequence). */
  let skipped = 0;
  /** Records the projection refused (counted once each, as skipped ones). */
  let refused = 0;

  const follow = createFollowSet(options.resources, options.objects, options.node);
  follow.prune(view);
  if (options.cipher) openSealedObjects(view, options.cipher, log);
  const jsm = await jetstreamManager(eventLog.nc, { timeout: CONSUMER_API_TIMEOUT_MS, checkAPI: false });

  const waiters = createSeqWaiters({ clock, lateAfterMs: CATCH_UP_AFTER_MS, onLate: () => void catchUp() });
  const release = () => waiters.release(streamSeqSeen);

  function markSynced(): void {
    if (synced) return;
    synced = true;
    const now = clock.now();
    // How long the snapshot and the tail after it took (start-up cost, bench row "first list").
    log.info({ seq: view.seq, fromSeq, snapshotMs: loadedAt - startedAt, tailMs: now - loadedAt }, 'informer synced');
    resolveSynced();
  }

  /** Applies the event unless it was applied already (by the consumer or a direct read); false then. */
  function apply({ seq, subject, data }: StoredEvent): boolean {
    if (seq <= streamSeqSeen) return false;
    streamSeqSeen = seq;
    watchdog?.progress();
    try {
      if (follow.followsSubject(subject)) {
        const event = checkedEvent(subject, data);
        const folded = foldRecord(view, seq, subject, options.cipher ? options.cipher.open(event) : event);
        if (folded.refused) {
          refused += 1;
          log.warn({ seq, subject, reason: folded.refused, refused }, 'refusing event');
        }
        const change = folded.change;
        if (change) {
          change.bytes = data.length;
          listers.update(change);
          handlers.dispatch(change);
        }
      }
    } catch (err) {
      skipped += 1;
      log.error({ err, seq, subject, skipped }, 'skipping undecodable event');
      view.seq = Math.max(view.seq, seq);
    }
    return true;
  }

  const reads = createFollowedReads(jsm, follow);
  const catchUp = createCatchUp({
    readNext: reads.readNext,
    ...(reads.horizon ? { horizon: reads.horizon } : {}),
    skipTo(seq) {
      streamSeqSeen = Math.max(streamSeqSeen, seq);
      view.seq = Math.max(view.seq, seq);
    },
    appliedSeq: () => streamSeqSeen,
    apply,
    afterEach: release,
    isStopped: () => stopped,
    max: CATCH_UP_MAX,
    log,
  });

  let replay: StoredEvent[] = [];
  let replayBytes = 0;
  /** The last sequence buffered for the replay (a consumer replaced mid-replay delivers some again). */
  let replaySeq = 0;
  /** Applies the buffered replay, skipping the records later ones in it supersede. */
  function applyReplay(): void {
    const batch = replay.filter((e) => e.seq > streamSeqSeen);
    replay = [];
    replayBytes = 0;
    const skip = supersededRecords(batch, (subject) => {
      const k = keyFromSubject(subject);
      return k !== undefined && view.objects.has(keyString(k));
    });
    for (const e of batch) {
      if (!skip.has(e.seq)) apply(e);
      else if (e.seq > streamSeqSeen) {
        streamSeqSeen = e.seq;
        view.seq = Math.max(view.seq, e.seq);
      }
    }
  }

  let watchdog: ReturnType<typeof startStallWatchdog> | undefined;
  const follower = await startFollower({
    eventLog,
    filter: follow.subjects,
    afterSeq: view.seq,
    deliver(event, pending) {
      if (!synced) {
        // The replay before synced goes in batches, compacted (tail-compaction.ts).
        if (event.seq > Math.max(streamSeqSeen, replaySeq)) {
          replay.push(event);
          replaySeq = event.seq;
          replayBytes += event.data.length;
        }
        watchdog?.progress();
        if (pending > 0 && replay.length < REPLAY_BATCH && replayBytes < REPLAY_BATCH_BYTES) return;
        applyReplay();
        if (pending === 0) markSynced();
        release();
        return;
      }
      const applied = apply(event);
      if (applied) release();
    },
    appliedSeq: () => streamSeqSeen,
    clock,
    log,
    replaceTimeoutMs: CONSUMER_API_TIMEOUT_MS,
    openRetryMs: OPEN_RETRY_MS,
  });
  if (follower.pendingAtStart === 0) markSynced();

  watchdog = startStallWatchdog({
    clock,
    stallMs: STALL_MS,
    log,
    appliedSeq: () => streamSeqSeen,
    catchUp,
    waitingBeyond: () => waiters.waitingBeyond(streamSeqSeen),
    // Without direct reads (a stream without allow_direct, or no answer) the stream's
    // last sequence tells, when the consumer reads the whole log.
    streamAhead: follow.all
      ? () =>
          eventLog.jsm.streams
            .info(STREAM)
            .then((i) => i.state.last_seq > streamSeqSeen)
            .catch(() => false)
      : undefined,
    replaceConsumer: () => follower.replace(streamSeqSeen),
  });

  return {
    view,
    startedFrom: start.snapshot,
    synced: syncedPromise,
    isSynced: () => synced,
    skippedEvents: () => skipped,
    refusedEvents: () => refused,
    on: handlers.on,
    onAnyChange: handlers.onAnyChange,
    lister: listers.lister,
    addIndex: listers.addIndex,
    follows: follow.follows,
    waitForSeq(seq, timeoutMs = 5_000) {
      if (streamSeqSeen >= seq || view.seq >= seq) return Promise.resolve(true);
      return waiters.wait(seq, timeoutMs);
    },
    async stop() {
      stopped = true;
      watchdog?.stop();
      await follower.stop();
    },
  };
}

/**
 * Decodes a record and checks that it names the object of its subject: a record on an
 * object subject (`kemu.obj.…`) or a node's status subject holding another object's key
 * would let one write overwrite an object its subject's permissions do not cover.
 */
function checkedEvent(subject: string, data: Uint8Array) {
  const event = decodeEvent(data);
  const onObject = subject.startsWith(`${SUBJECT_PREFIX}.`);
  if (onObject || nodeKeyFromSubject(subject)) {
    const k = onObject ? keyFromSubject(subject) : nodeKeyFromSubject(subject)?.key;
    if (!k || k.resource !== event.key.resource || k.namespace !== event.key.namespace || k.name !== event.key.name)
      throw new EventDecodeError(
        `event for ${event.key.resource} ${event.key.namespace}/${event.key.name} on ${subject}`,
      );
  }
  return event;
}
