/**
 * What the probe's records say: counts by cause, success %, latency percentiles, and the
 * recovery time after a fault (RELIABILITY.md §4: from the end of the fault to the first
 * success that is followed by a steady window without a failure). Pure.
 */
import type { ProbeRecord } from './probe-worker.js';

/** The probe's totals. */
export interface ProbeSummary {
  sent: number;
  succeeded: number;
  failed: number;
  failedByCause: Record<string, number>;
  successPercent: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/** The p-th percentile (nearest rank) of the values; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Totals over every record (latencies of successful requests). */
export function summarizeProbe(records: readonly ProbeRecord[]): ProbeSummary {
  const failedByCause: Record<string, number> = {};
  const latencies: number[] = [];
  let succeeded = 0;
  for (const r of records) {
    if (r.ok) {
      succeeded++;
      latencies.push(r.latencyMs);
    } else {
      const cause = r.cause ?? 'error';
      failedByCause[cause] = (failedByCause[cause] ?? 0) + 1;
    }
  }
  const sent = records.length;
  return {
    sent,
    succeeded,
    failed: sent - succeeded,
    failedByCause,
    successPercent: sent === 0 ? 0 : Math.floor((succeeded / sent) * 100_000) / 1_000,
    latencyMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.length === 0 ? 0 : Math.max(...latencies),
    },
  };
}

/** Failed requests that started in [from, to). */
export function failuresBetween(records: readonly ProbeRecord[], from: number, to: number): number {
  return records.filter((r) => !r.ok && r.start >= from && r.start < to).length;
}

/**
 * Milliseconds from `endMs` to the start of the first successful request (started at or
 * after `endMs`) after which no request fails for `steadyMs` (or until `horizonMs`, the
 * next fault or the end of the probe, whichever is first); undefined when it never recovers.
 */
export function recoveryTime(
  records: readonly ProbeRecord[],
  endMs: number,
  steadyMs: number,
  horizonMs: number,
): number | undefined {
  const after = records.filter((r) => r.start >= endMs).sort((a, b) => a.start - b.start);
  for (let i = 0; i < after.length; i++) {
    const first = after[i] as ProbeRecord;
    if (!first.ok) continue;
    const windowEnd = Math.min(first.start + steadyMs, horizonMs);
    let steady = true;
    for (let j = i + 1; j < after.length && (after[j] as ProbeRecord).start < windowEnd; j++) {
      if (!(after[j] as ProbeRecord).ok) {
        steady = false;
        break;
      }
    }
    if (steady) return first.start - endMs;
  }
  return undefined;
}
