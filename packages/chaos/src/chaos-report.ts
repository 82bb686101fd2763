/**
 * The chaos report: a ChaosResult-like JSON document (verdict, the probe's totals, each
 * fault with its recovery time and when its endpoint left each proxy, what was undone,
 * and a timeline of the faults next to the cluster's own events with their stream
 * sequences) and its human summary. Building and formatting are pure.
 */
import { formatMs } from './duration.js';
import type { ClusterEvent } from './event-timeline.js';
import type { Experiment } from './experiment.js';
import type { FaultRecord } from './fault-injectors.js';
import type { FaultSequences } from './fault-sequences.js';
import type { ProbeSummary } from './probe-summary.js';

/** One fault as reported. */
export interface FaultReport {
  action: string;
  target: string;
  node?: string;
  pod?: FaultRecord['pod'];
  start: string;
  end: string | undefined;
  undone: string | undefined;
  /** Failed probe requests started between the fault's start and its recovery. */
  failedRequests: number;
  /** End of the fault to the first success followed by steady success; null when it never recovered. */
  recoveryMs: number | null;
  /** Per node: ms from the kill until the pod's endpoint left that node's proxy; null when not seen leaving. */
  endpointLeftProxyMs?: Record<string, number | null>;
  /** Where the fault sits in the KEMU stream, and a sequence inside it for `kemu replay --at seq:N`. */
  log: FaultSequences;
}

/** One line of the merged timeline. */
export interface TimelineEntry {
  at: string;
  source: 'chaos' | 'cluster';
  seq?: number;
  object: string;
  what: string;
}

/** The whole report. */
export interface ChaosReport {
  experiment: { name: string; kind: string; action: string; mode: string; every: number; duration: number };
  cluster: string;
  startedAt: string;
  endedAt: string;
  verdict: 'Pass' | 'Fail';
  successThreshold: number;
  probe: ProbeSummary & { url: string; target: string; rate: number; fromPod: string };
  faults: FaultReport[];
  /** Every fault that needed undoing and what undoing it did. */
  undone: string[];
  /** Whether every killed pod's endpoint left every proxy (only for pod faults). */
  endpointsLeftEveryProxy: boolean | null;
  events: { fromSeq: number; toSeq: number; count: number };
  timeline: TimelineEntry[];
  interrupted: boolean;
  /** Ticks that injected nothing and faults that could not be ended, with the reason. */
  errors: string[];
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Assembles the report. */
export function buildReport(input: {
  experiment: Experiment;
  cluster: string;
  startedMs: number;
  endedMs: number;
  probe: ChaosReport['probe'];
  faults: FaultReport[];
  faultRecords: readonly FaultRecord[];
  clusterEvents: readonly ClusterEvent[];
  fromSeq: number;
  toSeq: number;
  interrupted: boolean;
  errors: string[];
}): ChaosReport {
  const e = input.experiment;
  const podFaults = input.faults.filter((f) => f.endpointLeftProxyMs);
  const timeline: (TimelineEntry & { ms: number })[] = [];
  for (const f of input.faultRecords) {
    timeline.push({
      ms: f.startMs,
      at: iso(f.startMs) as string,
      source: 'chaos',
      object: f.target,
      what: `${f.action} injected`,
    });
    if (f.endMs !== undefined && f.undone) {
      timeline.push({ ms: f.endMs, at: iso(f.endMs) as string, source: 'chaos', object: f.target, what: f.undone });
    }
  }
  for (const c of input.clusterEvents) {
    timeline.push({
      ms: c.at,
      at: iso(c.at) as string,
      source: 'cluster',
      seq: c.seq,
      object: c.object,
      what: `${c.what} (by ${c.actor})`,
    });
  }
  timeline.sort((a, b) => a.ms - b.ms || (a.seq ?? 0) - (b.seq ?? 0));
  return {
    experiment: {
      name: e.name,
      kind: e.kind,
      action: e.action,
      mode: e.mode,
      every: e.everyMs,
      duration: e.durationMs,
    },
    cluster: input.cluster,
    startedAt: iso(input.startedMs) as string,
    endedAt: iso(input.endedMs) as string,
    verdict:
      !input.interrupted && input.probe.sent > 0 && input.probe.successPercent >= e.steadyState.successThreshold
        ? 'Pass'
        : 'Fail',
    successThreshold: e.steadyState.successThreshold,
    probe: input.probe,
    faults: input.faults,
    undone: input.faults.filter((f) => f.undone).map((f) => `${f.target}: ${f.undone}`),
    endpointsLeftEveryProxy:
      podFaults.length === 0
        ? null
        : podFaults.every((f) => Object.values(f.endpointLeftProxyMs ?? {}).every((v) => v !== null)),
    events: { fromSeq: input.fromSeq, toSeq: input.toSeq, count: input.clusterEvents.length },
    timeline: timeline.map(({ ms: _ms, ...rest }) => rest),
    interrupted: input.interrupted,
    errors: input.errors,
  };
}

const time = (isoText: string | undefined) => (isoText ? isoText.slice(11, 23) : '-');

/** The human summary. */
export function formatReport(r: ChaosReport): string {
  const p = r.probe;
  const causes = Object.entries(p.failedByCause)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const lines = [
    `experiment ${r.experiment.name}: ${r.experiment.kind} ${r.experiment.action} on cluster ${r.cluster}${r.interrupted ? ' (INTERRUPTED)' : ''}`,
    r.interrupted
      ? `verdict: ${r.verdict} (interrupted; success so far ${p.successPercent}%, threshold ${r.successThreshold}%)`
      : `verdict: ${r.verdict} (success ${p.successPercent}% ${r.verdict === 'Pass' ? '>=' : '<'} threshold ${r.successThreshold}%)`,
    '',
    `steady-state probe: ${p.url} (${p.target}) from pod ${p.fromPod} at ${p.rate}/s`,
    `  requests: sent ${p.sent}, succeeded ${p.succeeded}, failed ${p.failed}${causes ? ` (${causes})` : ''}`,
    `  latency: p50 ${formatMs(p.latencyMs.p50)}, p99 ${formatMs(p.latencyMs.p99)}, max ${formatMs(p.latencyMs.max)}`,
    '',
    `faults (${r.faults.length}):`,
  ];
  for (const f of r.faults) {
    const left = f.endpointLeftProxyMs
      ? `; endpoint left proxies: ${Object.entries(f.endpointLeftProxyMs)
          .map(([n, ms]) => `${n} ${ms === null ? 'NOT SEEN' : formatMs(ms)}`)
          .join(', ')}`
      : '';
    lines.push(
      `  ${time(f.start)}-${time(f.end)} ${f.action} ${f.target}: failed ${f.failedRequests}, recovered in ${
        f.recoveryMs === null ? 'NEVER' : formatMs(f.recoveryMs)
      }${left}`,
      `    log #${f.log.before} before, #${f.log.start} injected, ${
        f.log.end === null ? 'not ended' : `#${f.log.end} ended`
      }; inside: kemu replay --at seq:${f.log.replayAt}`,
    );
  }
  if (r.endpointsLeftEveryProxy !== null) {
    lines.push(`every killed pod's endpoint left every proxy: ${r.endpointsLeftEveryProxy ? 'yes' : 'NO'}`);
  }
  if (r.errors.length > 0) lines.push('', `errors (${r.errors.length}):`, ...r.errors.map((x) => `  ${x}`));
  lines.push('', `undone (${r.undone.length}):`, ...r.undone.map((u) => `  ${u}`));
  lines.push(
    '',
    `timeline (faults and the cluster's events, stream KEMU sequences ${r.events.fromSeq}-${r.events.toSeq}):`,
  );
  for (const t of r.timeline) {
    lines.push(
      `  ${time(t.at)} ${t.source === 'chaos' ? 'CHAOS  ' : `#${String(t.seq).padEnd(6)}`} ${t.object}: ${t.what}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
