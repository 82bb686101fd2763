/**
 * The log's side of the chaos timeline: reads the event log from its start and follows it
 * (readHistory, so each change is told against the object's previous version), keeping the
 * transitions the timeline is built from. A bounded list: the timeline of a run needs the
 * faults and what followed them, not every pod update of the cluster's life. The reading
 * keeps a projection of its own (a second copy of the objects, as `kemu events` does), so
 * it starts only when a page first asks for the timeline.
 */
import { type EventLog, readHistory } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import { type Transition, transitionsOf } from './chaos-transitions.js';

/** Transitions kept. */
const MAX_TRANSITIONS = 50_000;

/** The followed transitions. */
export interface ChaosFeed {
  /** Every kept transition, in log order. */
  transitions(): readonly Transition[];
  /** Resolves once the feed has read up to `seq` (or after `timeoutMs`, with what it has); starts the reading. */
  waitFor(seq: number, timeoutMs: number): Promise<void>;
  /** Whether it has read up to `seq`. */
  readTo(seq: number): boolean;
  stop(): Promise<void>;
}

/**
 * The feed; it starts reading the log when first asked (the Chaos view opened), so a
 * dashboard nobody asks for a timeline pays nothing for it.
 */
export function createChaosFeed(eventLog: EventLog, log: Logger): ChaosFeed {
  const kept: Transition[] = [];
  const abort = new AbortController();
  let last = 0;
  let done: Promise<void> | undefined;
  const follow = async () => {
    while (!abort.signal.aborted) {
      try {
        for await (const entry of readHistory(eventLog, {
          fromSeq: last + 1,
          follow: true,
          signal: abort.signal,
        })) {
          // Every entry moves the position (waitFor); transitionsOf keeps what the timeline reads.
          last = entry.seq;
          kept.push(...transitionsOf(entry));
          if (kept.length > MAX_TRANSITIONS) kept.splice(0, kept.length - MAX_TRANSITIONS);
        }
      } catch (err) {
        if (!abort.signal.aborted) log.warn({ err }, 'chaos feed: log not readable; retrying');
      }
      if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 1_000));
    }
  };
  return {
    transitions: () => kept,
    readTo: (seq) => last >= seq,
    async waitFor(seq, timeoutMs) {
      done ??= follow();
      const deadline = Date.now() + timeoutMs;
      while (last < seq && Date.now() < deadline && !abort.signal.aborted) await new Promise((r) => setTimeout(r, 20));
    },
    async stop() {
      abort.abort();
      await done;
    },
  };
}
