/**
 * The follower: reads the log through an ordered consumer, which the client recreates at
 * the right sequence after a reconnect or a missed heartbeat, so a restart of NATS or a
 * partition loses nothing. The first consumer is retried for a while (a NATS cluster may
 * be electing its leaders); `replace` swaps the consumer for a new one from a given
 * sequence (the stall watchdog's remedy) and follows it once the old loop has ended.
 */
import type { Logger } from '@kemu/log';
import { DeliverPolicy, type JetStreamClient, jetstream } from '@nats-io/jetstream';
import type { Clock } from './clock.js';
import type { StoredEvent } from './catch-up.js';
import type { EventLog } from './event-log.js';
import { STREAM } from './subjects.js';

/** A running follow of the log. */
export interface Follower {
  /** Events not yet delivered when the first consumer was created; undefined when the server did not say. */
  readonly pendingAtStart: number | undefined;
  /** Replaces the consumer by one delivering after `afterSeq`; false when it could not be created. */
  replace(afterSeq: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** What the follower reads and where it delivers. */
export interface FollowerOptions {
  eventLog: EventLog;
  /** The consumer's filter subjects (disjoint; several need nats-server 2.10). */
  filter: readonly string[];
  /** Deliver the events after this sequence (0: from the first). */
  afterSeq: number;
  /** Called for each delivered event with the number still pending on the server. */
  deliver(event: StoredEvent, pending: number): void;
  /** The last applied sequence (for logs). */
  appliedSeq(): number;
  clock: Clock;
  log: Logger;
  /** Timeout of the requests that replace a consumer (the first one uses the client's default). */
  replaceTimeoutMs: number;
  /** How long creating the first consumer is retried. */
  openRetryMs: number;
}

/**
 * Bytes one pull may bring (the client then pulls 100 messages at most). Bounded by bytes,
 * not messages: 1000 records of a 1000-endpoint EndpointSlice (~170 KiB each) overflowed
 * the server's 64 MiB of pending data per connection, and it cut the connection as a slow
 * consumer (reconnect, ordered consumer recreated, stall watchdog: +3 s to a restart).
 * Above NATS' default max_payload (1 MiB), so one record always fits.
 */
const PULL_MAX_BYTES = 8 * 1024 * 1024;

/** How long to wait between tries to create the first consumer. */
const OPEN_RETRY_PAUSE_MS = 500;

/** Creates the first consumer (retrying until openRetryMs) and follows it. */
export async function startFollower(o: FollowerOptions): Promise<Follower> {
  const { log } = o;
  const jsFast = jetstream(o.eventLog.nc, { timeout: o.replaceTimeoutMs });

  async function open(afterSeq: number, js: JetStreamClient) {
    const consumer = await js.consumers.get(STREAM, {
      filter_subjects: [...o.filter],
      ...(afterSeq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSeq + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    // Pulls expire after 3 s, so the idle heartbeat is 1.5 s and a consumer lost with its
    // server (a NATS cluster member killed) is noticed and recreated after two missed
    // heartbeats, ~3 s, instead of the default 30 s pull's ~30 s.
    const messages = await consumer.consume({ max_bytes: PULL_MAX_BYTES, expires: 3_000 });
    void (async () => {
      for await (const st of messages.status()) {
        if (
          st.type === 'heartbeats_missed' ||
          st.type === 'ordered_consumer_recreated' ||
          st.type === 'consumer_not_found'
        )
          log.warn({ status: st, seq: o.appliedSeq() }, 'informer consumer status');
      }
    })().catch(() => undefined);
    return { consumer, messages };
  }
  type Open = Awaited<ReturnType<typeof open>>;

  async function follow(messages: Open['messages']): Promise<void> {
    for await (const m of messages) o.deliver({ seq: m.seq, subject: m.subject, data: m.data }, m.info.pending);
  }

  // The first consumer: creation can time out for a while after a NATS cluster lost a
  // member (the meta leader may still place it on the dead server), so it is retried.
  const openDeadline = o.clock.now() + o.openRetryMs;
  let current: Open;
  for (;;) {
    try {
      current = await open(o.afterSeq, o.eventLog.js);
      break;
    } catch (err) {
      if (o.clock.now() > openDeadline) throw err;
      log.warn({ err, seq: o.afterSeq }, 'informer consumer not created; retrying');
      await o.clock.sleep(OPEN_RETRY_PAUSE_MS);
    }
  }
  // The stream's sequence at start bounds what "synced" means.
  const info = await current.consumer.info(true).catch(() => undefined);
  let loop = follow(current.messages);

  return {
    pendingAtStart: info?.num_pending,
    async replace(afterSeq) {
      const old = current;
      try {
        current = await open(afterSeq, jsFast);
      } catch (err) {
        log.warn({ err }, 'informer consumer not recreated; will retry');
        return false;
      }
      await old.messages.close().catch(() => undefined);
      const next = current.messages;
      loop = loop.catch(() => undefined).then(() => follow(next));
      return true;
    },
    async stop() {
      await current.messages.close();
      await loop.catch(() => undefined);
    },
  };
}
