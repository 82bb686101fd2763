/**
 * Looking back over the event log: the events of a sequence or time range as entries that
 * hold the object before and after the change, and the projection as it was at a past moment.
 *
 * History replays the log from its first event, because a change can only be told
 * against the object's previous version; the projection at a moment starts from the
 * newest event-log snapshot at or before it (snapshot.ts) and applies the events after. Time is the time the log stored the event (JetStream's message
 * timestamp), which grows with the sequence, so a time bound is a sequence bound.
 */
import {
  type KubeObject,
  type LabelSelector,
  type ObjectKey,
  matchesLabelSelector,
  parseLabelSelector,
} from '@kemu/api';
import { DeliverPolicy } from '@nats-io/jetstream';
import { type Actor, decodeEvent } from './envelope.js';
import type { EventLog } from './event-log.js';
import { type View, createView, foldRecord } from './projection.js';
import { type Logger, createLogger } from '@kemu/log';
import { startingPoint } from './snapshot.js';
import { EVERY_RECORD, STREAM } from './subjects.js';

/** Which events a reader wants; every field narrows, none means all. */
export interface HistoryFilter {
  /** Resource names, e.g. `['pods', 'endpoints']`. */
  resources?: readonly string[];
  namespace?: string;
  /** A label selector (`app=web,tier!=db`) matched against the object's labels before or after the change. */
  labelSelector?: string;
}

/** A range of the log and what to keep of it. */
export interface ReadHistoryOptions {
  /** First sequence to yield. */
  fromSeq?: number;
  /** Last sequence to yield. */
  untilSeq?: number;
  /** Yield only events stored at or after this time. */
  since?: Date;
  /** Yield only events stored at or before this time. */
  until?: Date;
  filter?: HistoryFilter;
  /** Keep yielding live events after the end of the log (until `until`, `untilSeq` or `signal`). */
  follow?: boolean;
  signal?: AbortSignal;
}

/** One event of the log as a change of one object. */
export interface HistoryEntry {
  seq: number;
  /** When the log stored the event. */
  time: Date;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  actor: Actor;
  key: ObjectKey;
  uid: string;
  /** The object after the change (its final state for DELETED). */
  object: KubeObject;
  /** The object before the change, when there was one. */
  old: KubeObject | undefined;
}

/** The cluster as it was at a moment. */
export interface Snapshot {
  view: View;
  /** Sequence of the last event applied (0 before the first). */
  seq: number;
  /** When the log stored that event (undefined before the first). */
  time: Date | undefined;
}

interface StoredMessage {
  seq: number;
  time: Date;
  subject: string;
  data: Uint8Array;
}

/** Yields the log's messages from `fromSeq` (default the first); without `follow` it ends at the last one that existed at the start. */
async function* logMessages(
  eventLog: EventLog,
  follow: boolean,
  signal?: AbortSignal,
  fromSeq = 1,
): AsyncGenerator<StoredMessage> {
  const last = await eventLog.lastSequence();
  if (!follow && last < fromSeq) return;
  const consumer = await eventLog.js.consumers.get(STREAM, {
    filter_subjects: EVERY_RECORD,
    ...(fromSeq > 1
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq }
      : { deliver_policy: DeliverPolicy.All }),
  });
  const messages = await consumer.consume({ max_messages: 1000 });
  const abort = () => void messages.close();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    if (signal?.aborted) return;
    for await (const m of messages) {
      yield { seq: m.seq, time: m.time, subject: m.subject, data: m.data };
      if (!follow && m.seq >= last) return;
    }
  } finally {
    signal?.removeEventListener('abort', abort);
    await messages.close();
  }
}

function matcher(filter: HistoryFilter | undefined): (key: ObjectKey, objects: (KubeObject | undefined)[]) => boolean {
  const resources = filter?.resources ? new Set(filter.resources) : undefined;
  const selector: LabelSelector | undefined = filter?.labelSelector
    ? parseLabelSelector(filter.labelSelector)
    : undefined;
  return (key, objects) => {
    if (resources && !resources.has(key.resource)) return false;
    if (filter?.namespace !== undefined && key.namespace !== filter.namespace) return false;
    if (selector) return objects.some((o) => o !== undefined && matchesLabelSelector(selector, o.metadata.labels));
    return true;
  };
}

/** Reads the log's changes in a range, each with the object's previous version to tell what changed against. */
export async function* readHistory(eventLog: EventLog, options: ReadHistoryOptions = {}): AsyncGenerator<HistoryEntry> {
  const view = createView();
  const wanted = matcher(options.filter);
  const sinceMs = options.since?.getTime();
  const untilMs = options.until?.getTime();
  // Following up to a time ends at that time even when no event comes after it.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const timer =
    options.follow && untilMs !== undefined ? setTimeout(onAbort, Math.max(0, untilMs - Date.now() + 1)) : undefined;
  try {
    yield* historyEntries(eventLog, view, options, stop.signal, { wanted, sinceMs, untilMs });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function* historyEntries(
  eventLog: EventLog,
  view: View,
  options: ReadHistoryOptions,
  signal: AbortSignal,
  range: { wanted: ReturnType<typeof matcher>; sinceMs: number | undefined; untilMs: number | undefined },
): AsyncGenerator<HistoryEntry> {
  const { wanted, sinceMs, untilMs } = range;
  for await (const m of logMessages(eventLog, options.follow === true, signal)) {
    if (options.untilSeq !== undefined && m.seq > options.untilSeq) return;
    if (untilMs !== undefined && m.time.getTime() > untilMs) return;
    let change: ReturnType<typeof foldRecord>['change'];
    try {
      change = foldRecord(view, m.seq, m.subject, decodeEvent(m.data)).change;
    } catch {
      view.seq = Math.max(view.seq, m.seq);
      continue;
    }
    if (!change) continue;
    if (options.fromSeq !== undefined && m.seq < options.fromSeq) continue;
    if (sinceMs !== undefined && m.time.getTime() < sinceMs) continue;
    const key = change.key;
    if (!wanted(key, [change.object, change.old])) continue;
    yield {
      seq: m.seq,
      time: m.time,
      type: change.type,
      actor: change.event.actor,
      key,
      uid: change.event.uid,
      object: change.object,
      old: change.old,
    };
  }
}

/**
 * The projection of the log up to and including sequence `at`, or every event stored at
 * or before time `at`: the newest readable snapshot at or before it, then the events after
 * it. Throws SnapshotGapError when the log no longer holds the events needed.
 */
export async function projectionAt(eventLog: EventLog, at: number | Date, log?: Logger): Promise<Snapshot> {
  const start = await startingPoint(eventLog, {
    log: log ?? createLogger({ component: 'eventlog', level: 'silent' }),
    ...(typeof at === 'number' ? { atMostSeq: at } : { atMostTime: at }),
  });
  const view = start.view;
  let time = start.snapshot?.time;
  for await (const m of logMessages(eventLog, false, undefined, view.seq + 1)) {
    if (typeof at === 'number' ? m.seq > at : m.time.getTime() > at.getTime()) break;
    try {
      foldRecord(view, m.seq, m.subject, decodeEvent(m.data));
    } catch {
      // An undecodable event changes nothing, as in the informer.
    }
    view.seq = m.seq;
    time = m.time;
  }
  return { view, seq: view.seq, time };
}
