/**
 * The connection to the event log: one JetStream stream on a NATS server.
 *
 * Concurrency control: every write is a JetStream publish with
 * `Nats-Expected-Last-Subject-Sequence` set to the sequence the writer last saw on the
 * object's subject. A stale writer gets JetStream error 10071, surfaced as
 * ConflictError (Kubernetes' 409). Each write carries a fresh `Nats-Msg-Id` that its own
 * retries reuse, so a retry after a lost acknowledgement is not stored twice.
 */
import type { Logger } from '@kemu/log';
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
} from '@nats-io/jetstream';
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { type LogEvent, encodeEvent } from './envelope.js';
import { AppendUnknownError, ConflictError } from './errors.js';
import { STREAM, SUBJECT_PREFIX, subjectFor } from './subjects.js';

const WRONG_LAST_SEQUENCE = 10071;

/** How to reach the log. */
export interface EventLogOptions {
  /** NATS URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** Connection name shown by the server: component and node. */
  name: string;
  log: Logger;
  /** Stream replicas when the stream is created (3 on a NATS cluster). */
  replicas?: number;
}

/** An open connection to the event log. */
export interface EventLog {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Appends an event if the object's subject is still at `expectedSeq`; returns the event's sequence. */
  append(event: LogEvent, expectedSeq: number): Promise<number>;
  /** The stream's last sequence now. */
  lastSequence(): Promise<number>;
  close(): Promise<void>;
}

/** Connects (retrying until the server answers) and makes sure the stream exists. */
export async function connectEventLog(options: EventLogOptions): Promise<EventLog> {
  const nc = await connect({
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    pingInterval: 5_000,
    maxPingOut: 2,
    waitOnFirstConnect: true,
    timeout: 5_000,
  });
  const log = options.log;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') log.info({ status: s.type }, 'nats connection status');
    }
  })();
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, options.replicas ?? 1);
  const js = jetstream(nc, { timeout: 5_000 });

  async function append(event: LogEvent, expectedSeq: number): Promise<number> {
    const subject = subjectFor(event.key);
    const msgID = randomUUID();
    const data = encodeEvent(event);
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await js.publish(subject, data, {
          msgID,
          expect: { lastSubjectSequence: expectedSeq },
          retries: 3,
        });
        return ack.seq;
      } catch (err) {
        if (err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE) {
          throw new ConflictError(subject, expectedSeq, { cause: err });
        }
        // A lost ack is "unknown": retry with the same msgID, well inside the 2 min dedup window.
        if (attempt >= 5) throw new AppendUnknownError(subject, { cause: err });
        log.warn({ err, subject, attempt }, 'append retry');
        await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
      }
    }
  }

  return {
    nc,
    js,
    jsm,
    append,
    async lastSequence() {
      const info = await jsm.streams.info(STREAM);
      return info.state.last_seq;
    },
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}

async function ensureStream(jsm: JetStreamManager, replicas: number): Promise<void> {
  try {
    await jsm.streams.info(STREAM);
    return;
  } catch {
    // not there yet
  }
  try {
    await jsm.streams.add({
      name: STREAM,
      subjects: [`${SUBJECT_PREFIX}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: replicas,
      duplicate_window: 120_000_000_000,
      allow_direct: true,
    });
  } catch (err) {
    // Another process may have created it at the same moment.
    await jsm.streams.info(STREAM).catch(() => {
      throw err;
    });
  }
}
