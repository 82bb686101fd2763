/**
 * The bounded flow stream: limits retention (max age and max bytes, oldest discarded),
 * file storage so a replay after the cluster stopped still shows traffic. Readers get
 * records with the sequence of their batch, from any sequence, once or following.
 */
import {
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { decodeFlowBatch } from './codec.js';
import type { FlowRecord, StoredFlow } from './flow-record.js';
import { FLOW_STREAM, FLOW_SUBJECT_PREFIX } from './subjects.js';

/** Default retention: an hour of flows. */
export const DEFAULT_FLOW_MAX_AGE_MS = 3_600_000;
/** Default retention: 256 MiB of flows. */
export const DEFAULT_FLOW_MAX_BYTES = 256 * 1024 * 1024;

/** The flow stream's limits. */
export interface FlowStreamLimits {
  maxAgeMs?: number;
  maxBytes?: number;
  replicas?: number;
}

/** Creates the flow stream unless it exists (a concurrent creator is fine). */
export async function ensureFlowStream(jsm: JetStreamManager, limits: FlowStreamLimits = {}): Promise<void> {
  try {
    await jsm.streams.info(FLOW_STREAM);
    return;
  } catch {
    // Not found (or not answered): try to create it below.
  }
  try {
    await jsm.streams.add({
      name: FLOW_STREAM,
      subjects: [`${FLOW_SUBJECT_PREFIX}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: (limits.maxAgeMs ?? DEFAULT_FLOW_MAX_AGE_MS) * 1_000_000,
      max_bytes: limits.maxBytes ?? DEFAULT_FLOW_MAX_BYTES,
      num_replicas: limits.replicas ?? 1,
    });
  } catch (err) {
    // Another process created it at the same moment: then info answers.
    await jsm.streams.info(FLOW_STREAM).catch(() => {
      throw err;
    });
  }
}

/** How to read flows. */
export interface ReadFlowsOptions {
  /** First stream sequence to read; default the first kept. */
  fromSeq?: number;
  /** Keep reading new batches; otherwise stop at the last batch that existed at the start. */
  follow?: boolean;
  signal?: AbortSignal;
}

/** Yields stored flow records in stream order; yields nothing when the stream does not exist. */
export async function* readFlows(
  js: JetStreamClient,
  jsm: JetStreamManager,
  options: ReadFlowsOptions = {},
): AsyncGenerator<StoredFlow> {
  for await (const batch of readFlowBatches(js, jsm, options)) {
    for (const record of batch.records) yield { seq: batch.seq, record };
  }
}

/** Yields stored batches (one stream message each) in stream order; nothing when the stream does not exist. */
export async function* readFlowBatches(
  js: JetStreamClient,
  jsm: JetStreamManager,
  options: ReadFlowsOptions = {},
): AsyncGenerator<{ seq: number; records: FlowRecord[] }> {
  const info = await jsm.streams.info(FLOW_STREAM).catch(() => undefined);
  if (!info) return;
  const last = info.state.last_seq;
  const fromSeq = options.fromSeq ?? 1;
  if (!options.follow && (info.state.messages === 0 || last < fromSeq)) return;
  const consumer = await js.consumers.get(FLOW_STREAM, {
    ...(fromSeq > 1
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq }
      : { deliver_policy: DeliverPolicy.All }),
  });
  const messages = await consumer.consume({ max_messages: 500 });
  const abort = () => void messages.close();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    if (options.signal?.aborted) return;
    for await (const m of messages) {
      let records: FlowRecord[] = [];
      try {
        records = decodeFlowBatch(m.data);
      } catch {
        // A batch nobody can read is skipped, not fatal to the reader.
      }
      if (records.length > 0) yield { seq: m.seq, records };
      if (!options.follow && m.seq >= last) return;
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await messages.close();
  }
}
