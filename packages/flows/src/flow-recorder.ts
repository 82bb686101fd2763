/**
 * The flow recorder: the data plane hands it records and never waits. Records go to a
 * bounded in-memory queue that is published in batches (one JetStream message per batch,
 * one publish in flight). Overload policy: above half the queue only every
 * OVERLOAD_SAMPLE_EVERY-th record is kept (its weight multiplied by that); at the bound every
 * record is dropped. Both are counted and logged, at most once per LOG_EVERY_MS, so the
 * stream says what it left out instead of slowing connections down.
 */
import type { Logger } from '@kemu/log';
import { encodeFlowBatch } from './codec.js';
import type { FlowRecord } from './flow-record.js';
import { type FlowStreamLimits, ensureFlowStream } from './flow-stream.js';
import { flowSubject } from './subjects.js';

/** Under overload, one record in this many is kept. */
export const OVERLOAD_SAMPLE_EVERY = 10;
const LOG_EVERY_MS = 5_000;

/** Where batches go: a JetStream publish on the flow subject. */
export type PublishBatch = (data: Uint8Array) => Promise<unknown>;

/** What a recorder needs. */
export interface FlowRecorderOptions {
  publish: PublishBatch;
  log: Logger;
  /** Records held at most before dropping; default 20 000. */
  maxQueue?: number;
  /** Records per message at most; default 500. */
  maxBatch?: number;
  /** How long a record may wait for its batch; default 100 ms. */
  flushMs?: number;
}

/** A recorder's counters. */
export interface FlowRecorderStats {
  recorded: number;
  published: number;
  /** Records left out by sampling or at the bound. */
  sampledOut: number;
  publishFailures: number;
  queued: number;
}

/** The data plane's side of flow recording. */
export interface FlowRecorder {
  /** Queues a record; never blocks, never throws. */
  record(record: FlowRecord): void;
  stats(): FlowRecorderStats;
  /** Publishes what is queued and stops. */
  stop(): Promise<void>;
}

/** Creates a recorder that publishes through `publish`. */
export function createFlowRecorder(options: FlowRecorderOptions): FlowRecorder {
  const maxQueue = options.maxQueue ?? 20_000;
  const maxBatch = options.maxBatch ?? 500;
  const flushMs = options.flushMs ?? 100;
  const log = options.log;
  let queue: FlowRecord[] = [];
  const stats = { recorded: 0, published: 0, sampledOut: 0, publishFailures: 0 };
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let skipCount = 0;
  let lastOverloadLog = 0;
  let stopped = false;

  function overloaded(): void {
    stats.sampledOut++;
    const now = Date.now();
    if (now - lastOverloadLog >= LOG_EVERY_MS) {
      lastOverloadLog = now;
      log.warn(
        { queued: queue.length, maxQueue, sampledOut: stats.sampledOut, sampleEvery: OVERLOAD_SAMPLE_EVERY },
        'flow recording overloaded: sampling records',
      );
    }
  }

  function schedule(): void {
    if (timer || inFlight || stopped) return;
    timer = setTimeout(flush, queue.length >= maxBatch ? 0 : flushMs);
    timer.unref?.();
  }

  function flush(): void {
    timer = undefined;
    if (inFlight || queue.length === 0) return;
    const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
    queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
    inFlight = options
      .publish(encodeFlowBatch(batch))
      .then(
        () => {
          stats.published += batch.length;
        },
        (err: unknown) => {
          stats.publishFailures++;
          log.warn({ err, records: batch.length }, 'flow batch not published; dropped');
        },
      )
      .finally(() => {
        inFlight = undefined;
        if (queue.length > 0) schedule();
      });
  }

  return {
    record(record) {
      stats.recorded++;
      if (stopped || queue.length >= maxQueue) {
        overloaded();
        return;
      }
      if (queue.length >= maxQueue / 2) {
        skipCount = (skipCount + 1) % OVERLOAD_SAMPLE_EVERY;
        if (skipCount !== 0) {
          overloaded();
          return;
        }
        record.weight = (record.weight ?? 1) * OVERLOAD_SAMPLE_EVERY;
      }
      queue.push(record);
      schedule();
    },
    stats: () => ({ ...stats, queued: queue.length }),
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (inFlight || queue.length > 0) {
        if (inFlight) await inFlight;
        else flush();
      }
      stopped = true;
    },
  };
}

/** What `openFlowRecorder` needs: a JetStream client and manager (an EventLog has both). */
export interface OpenFlowRecorderOptions {
  js: { publish(subject: string, data: Uint8Array): Promise<unknown> };
  jsm: Parameters<typeof ensureFlowStream>[0];
  kind: 'conn' | 'dns';
  node: string;
  log: Logger;
  limits?: FlowStreamLimits;
}

/** Makes sure the flow stream exists and returns a recorder publishing to this node's subject. */
export async function openFlowRecorder(options: OpenFlowRecorderOptions): Promise<FlowRecorder> {
  await ensureFlowStream(options.jsm, options.limits);
  const subject = flowSubject(options.kind, options.node);
  return createFlowRecorder({ publish: (data) => options.js.publish(subject, data), log: options.log });
}
