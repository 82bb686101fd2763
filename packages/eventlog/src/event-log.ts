/**
 * The connection to the event log: one JetStream stream on a NATS server.
 *
 * Concurrency control: every write is a JetStream publish with
 * `Nats-Expected-Last-Subject-Sequence` set to the sequence the writer last saw on the
 * object's subject. A stale writer gets JetStream error 10071, surfaced as
 * ConflictError (Kubernetes' 409). Each write carries a fresh `Nats-Msg-Id` that its own
 * retries reuse, so a retry after a lost acknowledgement is not stored twice. The id is
 * random, not derived from subject and expected sequence: two writers racing on the same
 * base must not be mistaken for one write (the loser would get the winner's ack).
 */
import type { Logger } from '@kemu/log';
import {
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
} from '@nats-io/jetstream';
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { type NatsConnection, nkeyAuthenticator } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { type LogEvent, encodeEvent } from './envelope.js';
import type { SecretCipher } from './secret-encryption.js';
import { AppendUnknownError, ConflictError, WriteForbiddenError, isPermissionViolation } from './errors.js';
import { readSeedFile } from './nats-credentials.js';
import { STREAM, STREAM_SUBJECTS, subjectFor } from './subjects.js';

const WRONG_LAST_SEQUENCE = 10071;
const STREAM_NOT_FOUND = 10059;

/**
 * How long one publish waits for its acknowledgement. Short, because a publish in flight
 * to a server that just died waits the whole time before its retry goes to the new
 * leader; a retry of a write that did arrive is harmless (same Nats-Msg-Id).
 */
const PUBLISH_TIMEOUT_MS = 2_000;

/**
 * How long one write keeps retrying an unacknowledged publish (each try waits up to the
 * publish timeout): far below the stream's 2 min duplicate window, so every retry of
 * a write that was stored after all is still recognised as a duplicate (ADR-22).
 */
export const APPEND_RETRY_BUDGET_MS = 45_000;

/** The longest pause between two tries of one write. */
const RETRY_DELAY_MAX_MS = 500;

/** How to reach the log. */
export interface EventLogOptions {
  /** NATS URL(s), e.g. `nats://127.0.0.1:4222`; a string may be a comma-separated list. */
  servers: string | string[];
  /** Connection name shown by the server: component and node. */
  name: string;
  log: Logger;
  /** Stream replicas when the stream is created (3 on a NATS cluster; 1-5); default 1. */
  replicas?: number;
  /** Fail when no server answers at once, instead of waiting for one (a CLI, not a component). */
  failFast?: boolean;
  /** Encrypts Secrets before they are stored (the apiserver's EncryptionConfiguration). */
  cipher?: SecretCipher;
  /** A seed file (nats-credentials.ts) to authenticate with; none: connect without credentials. */
  nkeyFile?: string;
  /** A CA certificate (PEM) file: connect with TLS and verify the server against it. */
  tlsCaFile?: string;
}

/** An open connection to the event log. */
export interface EventLog {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /**
   * Appends an event if its subject (default: the object's subject; a node's pod status
   * subject for a status record) is still at `expectedSeq`; returns the event's sequence.
   */
  append(event: LogEvent, expectedSeq: number, subject?: string): Promise<number>;
  /** The stream's last sequence now. */
  lastSequence(): Promise<number>;
  close(): Promise<void>;
}

/** NATS URLs from a string or list whose strings may each hold a comma-separated list (KEMU_NATS_URL: a NATS cluster). */
export function serverList(servers: string | string[]): string[] {
  return (Array.isArray(servers) ? servers : [servers])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Connects (retrying until the server answers) and makes sure the stream exists. */
export async function connectEventLog(options: EventLogOptions): Promise<EventLog> {
  const nc = await connect({
    servers: serverList(options.servers),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    pingInterval: 5_000,
    maxPingOut: 2,
    waitOnFirstConnect: !options.failFast,
    timeout: 5_000,
    ...(options.nkeyFile ? { authenticator: nkeyAuthenticator(await readSeedFile(options.nkeyFile)) } : {}),
    // Without a CA: no TLS unless the server requires it (a server that only offers it, as
    // kemu's does for nodes joined over a network, is spoken to in plain TCP).
    tls: options.tlsCaFile ? { caFile: options.tlsCaFile } : null,
  });
  const log = options.log;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') log.info({ status: s.type }, 'nats connection status');
    }
  })();
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, options.replicas ?? 1, log);
  const js = jetstream(nc, { timeout: 5_000 });

  /** The sequence of the subject's last message when it carries `msgID`, else undefined. */
  async function storedAs(subject: string, msgID: string): Promise<number | undefined> {
    try {
      const m = await jsm.streams.getMessage(STREAM, { last_by_subj: subject });
      return m?.header.get('Nats-Msg-Id') === msgID ? m.seq : undefined;
    } catch {
      return undefined;
    }
  }

  async function append(event: LogEvent, expectedSeq: number, on?: string): Promise<number> {
    const subject = on ?? subjectFor(event.key);
    // One id per logical write, reused by its retries: the server drops a repeat inside the dup window.
    const msgID = randomUUID();
    const data = encodeEvent(options.cipher ? options.cipher.seal(event) : event);
    const deadline = Date.now() + APPEND_RETRY_BUDGET_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await js.publish(subject, data, {
          msgID,
          expect: { lastSubjectSequence: expectedSeq },
          retries: 3,
          timeout: PUBLISH_TIMEOUT_MS,
        });
        if (attempt > 0)
          log.info({ subject, attempt, seq: ack.seq, duplicate: ack.duplicate }, 'append retry acknowledged');
        return ack.seq;
      } catch (err) {
        if (err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE) {
          // A retry can lose the compare-and-set to its own first attempt, stored after
          // all: that is this write's success, not a conflict.
          const own = attempt > 0 ? await storedAs(subject, msgID) : undefined;
          if (own !== undefined) {
            log.info({ subject, attempt, seq: own }, 'append retry found its first attempt stored');
            return own;
          }
          throw new ConflictError(subject, expectedSeq, { cause: err });
        }
        // A refusal by the server's permissions is final: retrying cannot change it.
        if (isPermissionViolation(err)) throw new WriteForbiddenError(subject, { cause: err });
        // 503/no responders during a leader election, a timeout, a dropped connection: the
        // write is "unknown", so retry with the same msgID, well inside the 2 min dup window.
        // At most RETRY_DELAY_MAX_MS apart, so a write goes through within about a second
        // of the new stream leader's election (a cheap 503 is all a try costs meanwhile).
        const delay = Math.min(RETRY_DELAY_MAX_MS, 100 * 2 ** attempt);
        if (Date.now() + delay > deadline) throw new AppendUnknownError(subject, { cause: err });
        log.warn({ err, subject, attempt }, 'append retry');
        await new Promise((r) => setTimeout(r, delay));
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

/**
 * Makes sure the event stream exists, creating it with `replicas` when it does not. On a
 * NATS cluster that is still forming (no meta leader yet, or peers not yet known:
 * "no suitable peers for placement") both steps are retried for about 15 s.
 */
async function ensureStream(jsm: JetStreamManager, replicas: number, log: Logger): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const info = await jsm.streams.info(STREAM);
      if (info.config.num_replicas !== replicas)
        log.warn({ want: replicas, have: info.config.num_replicas }, 'event stream exists with other replicas; kept');
      await addStreamSubjects(jsm, info.config, log);
      return;
    } catch (err) {
      const notFound = err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND;
      if (!notFound) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
    }
    try {
      await jsm.streams.add({
        name: STREAM,
        subjects: [...STREAM_SUBJECTS],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        num_replicas: replicas,
        duplicate_window: 120_000_000_000,
        allow_direct: true,
      });
      log.info({ replicas }, 'event stream created');
      return;
    } catch (err) {
      // Another process may have created it at the same moment (the next info says so),
      // or the cluster cannot place it yet.
      if (Date.now() > deadline) throw err;
      log.warn({ err }, 'event stream not created yet; retrying');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * A stream made before the node-scoped status subjects existed takes them on (the
 * control plane's credential may update it; another's is told no, and the next
 * control-plane start does it).
 */
async function addStreamSubjects(jsm: JetStreamManager, config: StreamConfig, log: Logger): Promise<void> {
  const missing = STREAM_SUBJECTS.filter((s) => !config.subjects?.includes(s));
  if (missing.length === 0) return;
  try {
    await jsm.streams.update(STREAM, { subjects: [...(config.subjects ?? []), ...missing] });
    log.info({ added: missing }, 'event stream subjects added');
  } catch (err) {
    log.warn({ err, missing }, 'event stream lacks subjects and could not be updated');
  }
}
