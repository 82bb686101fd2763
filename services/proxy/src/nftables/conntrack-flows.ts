/**
 * Flow records in nftables mode: the node netns's conntrack events for the service CIDR
 * go through a ConntrackFlowTable, and its finished flows go to the flow recorder (which
 * batches, samples and never blocks), in the userspace proxy's record format.
 * A TCP flow that ended before its DESTROY (a clean close: TIME_WAIT lasts two minutes)
 * waits for the next counter listing, which serves every flow waiting when it starts.
 * One listing runs at a time, spaced by MIN_LISTING_GAP_MS and by LISTING_DUTY_FACTOR
 * times the last one's duration: a listing walks every entry of the last two minutes, so
 * under heavy churn records wait longer for their bytes instead of the node paying more.
 * Bounded and lossy by design, never in the data path: the kernel drops events this
 * process is too slow to read (counted from conntrack's ENOBUFS warning), the table
 * samples, and flows beyond MAX_AWAITING go out without bytes; all counted and logged.
 */
import type { ConnectionFlow } from '@kemu/flows';
import type { Logger } from '@kemu/log';
import type { ReadCounters } from './conntrack-counters.js';
import type { ConntrackEvent } from './conntrack-events.js';
import type { ConntrackFlowTable, ConntrackFlowTableStats, FinishedFlow } from './conntrack-flow-table.js';

/** Flows held for their counters at most; beyond, a flow is recorded without bytes. */
export const MAX_AWAITING = 20_000;
/** A listing is followed by at least this many times its duration without one (≤ 1/21 of a core). */
export const LISTING_DUTY_FACTOR = 20;
/** Least time between two counter listings. */
export const MIN_LISTING_GAP_MS = 1_000;
const LOG_EVERY_MS = 5_000;

/** Counters of the conntrack flow source. */
export interface ConntrackFlowsStats extends ConntrackFlowTableStats {
  recorded: number;
  awaitingCounters: number;
  /** Flows recorded with bytes 0 because no counter was read for them. */
  countersMissing: number;
  /** ENOBUFS reports: the kernel dropped events, so flows are missing. */
  eventsLost: number;
}

/** The event sink between a conntrack watcher and a flow recorder. */
export interface ConntrackFlows {
  onEvent(event: ConntrackEvent): void;
  /** Counts one ENOBUFS report. */
  onEventsLost(): void;
  stats(): ConntrackFlowsStats;
  /** Records what waits for counters as it is and stops listing. */
  stop(): void;
}

/** What the sink needs. */
export interface ConntrackFlowsOptions {
  table: ConntrackFlowTable;
  readCounters: ReadCounters;
  record(flow: ConnectionFlow): void;
  log: Logger;
  maxAwaiting?: number;
  minListingGapMs?: number;
}

interface Awaiting {
  flow: ConnectionFlow;
  /** The listing generation current when it was queued: a later listing serves it. */
  generation: number;
}

/** Creates the sink. */
export function createConntrackFlows(options: ConntrackFlowsOptions): ConntrackFlows {
  const { table, readCounters, log } = options;
  const maxAwaiting = options.maxAwaiting ?? MAX_AWAITING;
  const minGap = options.minListingGapMs ?? MIN_LISTING_GAP_MS;
  const awaiting = new Map<number, Awaiting>();
  const counts = { recorded: 0, countersMissing: 0, eventsLost: 0 };
  let generation = 0;
  let listing = false;
  let lastListingMs = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastWarnAt = 0;
  let lastLossTotal = 0;

  function record(flow: ConnectionFlow): void {
    counts.recorded++;
    options.record(flow);
    warnOnLoss();
  }

  function warnOnLoss(): void {
    const s = stats();
    const total = s.sampledOut + s.evicted + s.countersMissing + s.eventsLost;
    const now = Date.now();
    if (total === lastLossTotal || now - lastWarnAt < LOG_EVERY_MS) return;
    lastLossTotal = total;
    lastWarnAt = now;
    log.warn({ flows: s }, 'conntrack flow records overloaded: sampling');
  }

  function schedule(): void {
    if (listing || timer || stopped || awaiting.size === 0) return;
    timer = setTimeout(() => void list(), Math.max(minGap, LISTING_DUTY_FACTOR * lastListingMs));
    timer.unref?.();
  }

  async function list(): Promise<void> {
    timer = undefined;
    if (awaiting.size === 0) return;
    listing = true;
    const current = ++generation;
    const t0 = performance.now();
    const counters = await readCounters((id) => awaiting.has(id)).catch((err: unknown) => {
      log.warn({ err }, 'cannot list conntrack counters');
      return new Map();
    });
    lastListingMs = performance.now() - t0;
    listing = false;
    if (stopped) return;
    for (const [id, w] of awaiting) {
      if (w.generation >= current) continue;
      awaiting.delete(id);
      const c = counters.get(id);
      if (c) {
        w.flow.bytesIn = c.bytesIn;
        w.flow.bytesOut = c.bytesOut;
      } else counts.countersMissing++;
      record(w.flow);
    }
    schedule();
  }

  function onFinished(f: FinishedFlow): void {
    if (f.countersKnown || f.id === undefined || stopped) return record(f.flow);
    if (awaiting.size >= maxAwaiting) {
      counts.countersMissing++;
      return record(f.flow);
    }
    awaiting.set(f.id, { flow: f.flow, generation });
    schedule();
  }

  function stats(): ConntrackFlowsStats {
    return { ...table.stats(), ...counts, awaitingCounters: awaiting.size };
  }

  return {
    onEvent(e) {
      const waiting = e.type === 'DESTROY' && e.id !== undefined ? awaiting.get(e.id) : undefined;
      if (waiting && e.id !== undefined) {
        awaiting.delete(e.id);
        waiting.flow.bytesIn = e.original.bytes ?? 0;
        waiting.flow.bytesOut = e.reply.bytes ?? 0;
        return record(waiting.flow);
      }
      const finished = table.onEvent(e);
      if (finished) onFinished(finished);
    },
    onEventsLost() {
      counts.eventsLost++;
      warnOnLoss();
    },
    stats,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      for (const w of awaiting.values()) record(w.flow);
      awaiting.clear();
    },
  };
}
