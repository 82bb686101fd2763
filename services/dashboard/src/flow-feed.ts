/**
 * The flow side of the page: follows the FLOWS stream from its start and keeps the latest
 * batches (bounded by record count) for pages that connect or reconnect; a batch's stream
 * sequence is its SSE event id.
 */
import { type FlowRecord, readFlowBatches } from '@kemu/flows';
import type { EventLog } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';

/** Records kept for pages. */
const MAX_RECORDS = 20_000;

/** One stored batch as the page gets it. */
export interface FlowBatch {
  seq: number;
  records: FlowRecord[];
}

/** The live flow feed. */
export interface FlowFeed {
  /** The kept batches after `seq` (all kept when 0). */
  batchesAfter(seq: number): FlowBatch[];
  subscribe(fn: (batch: FlowBatch) => void): () => void;
  stop(): Promise<void>;
}

/** Starts following the flow stream (waiting for it to exist). */
export function startFlowFeed(eventLog: EventLog, log: Logger): FlowFeed {
  const batches: FlowBatch[] = [];
  let kept = 0;
  const subscribers = new Set<(b: FlowBatch) => void>();
  const abort = new AbortController();

  function add(batch: FlowBatch): void {
    batches.push(batch);
    kept += batch.records.length;
    while (kept > MAX_RECORDS && batches.length > 1) kept -= batches.shift()?.records.length ?? 0;
    for (const fn of subscribers) fn(batch);
  }

  const done = (async () => {
    let after = 0;
    while (!abort.signal.aborted) {
      try {
        for await (const batch of readFlowBatches(eventLog.js, eventLog.jsm, {
          follow: true,
          fromSeq: after + 1,
          signal: abort.signal,
        })) {
          add(batch);
          after = batch.seq;
        }
      } catch (err) {
        if (!abort.signal.aborted) log.warn({ err }, 'flow stream not readable yet; retrying');
      }
      if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 1_000));
    }
  })();

  return {
    batchesAfter: (seq) => batches.filter((b) => b.seq > seq),
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    async stop() {
      abort.abort();
      await done;
    },
  };
}
