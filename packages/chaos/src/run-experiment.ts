/**
 * Runs one experiment: checks the faults can be injected here, starts the steady-state
 * probe in the client pod and the proxy endpoint watch, injects faults on the schedule
 * (each timed fault undone after its duration), undoes everything when the run ends or
 * is aborted (SIGINT/SIGTERM), then reads the cluster's events of the run from the log
 * and builds the report.
 */
import type { ChaosCluster } from './chaos-cluster.js';
import { buildReport, type ChaosReport, type FaultReport } from './chaos-report.js';
import { interpretEvents, readTimelineEvents } from './event-timeline.js';
import type { Experiment } from './experiment.js';
import { type ActiveFault, checkInjectable, type FaultRecord } from './fault-injectors.js';
import { connectChaosLog, createFaultRecorder } from './fault-recorder.js';
import { faultSequences } from './fault-sequences.js';
import { failuresBetween, recoveryTime, summarizeProbe } from './probe-summary.js';
import { watchProxyEndpoints } from './proxy-endpoint-watch.js';
import { deleteProbePod, ensureProbePod, PROBE_POD, resolveProbeTarget, startProbe } from './steady-state-probe.js';
import { openUndoJournal } from './undo-journal.js';

/** Inputs of a run. */
export interface RunOptions {
  cluster: ChaosCluster;
  experiment: Experiment;
  /** Progress lines for the user (stderr). */
  progress(line: string): void;
  /** Aborting ends every fault, stops the probe and still reports. */
  signal?: AbortSignal;
}

/** Runs the experiment to the end (or the abort) and returns its report. */
export async function runExperiment(o: RunOptions): Promise<ChaosReport> {
  const { cluster, experiment: e, progress } = o;
  const networkMeans = await checkInjectable(e, cluster);
  const target = await resolveProbeTarget(cluster, e.steadyState.url, e.selector.namespace);
  progress(
    `probe target ${target.namespace}/${target.service}: ${target.dnsName}:${target.port} through the cluster DNS ${target.dnsServer} (now ${target.clusterIP})`,
  );
  const { pod: probePod, created } = await ensureProbePod(cluster, target.namespace, e.steadyState.node);
  progress(`probe pod ${target.namespace}/${PROBE_POD} on ${e.steadyState.node} (${probePod.status?.podIP})`);

  const eventLog = await connectChaosLog(cluster);
  const journal = openUndoJournal(cluster.stateDir);
  const active: ActiveFault[] = [];
  const ends: Promise<void>[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const tickErrors: string[] = [];
  let interrupted = false;
  try {
    const fromSeq = (await eventLog.lastSequence()) + 1;
    const namespaces = [...new Set([e.selector.namespace, target.namespace])];
    // Each fault goes on the event log too (ChaosInjected / ChaosEnded / ChaosEndpointLeftProxy Events).
    const recorder = createFaultRecorder({
      experiment: e,
      context: { cluster, journal, networkMeans },
      eventLog,
      errors: tickErrors,
    });
    const watch = watchProxyEndpoints({
      nodes: cluster.layout.nodes,
      namespace: target.namespace,
      service: target.service,
      onLeft: (node, endpoint, at) => {
        for (const f of active) {
          const ip = f.record.pod?.ip;
          if (ip && endpoint.startsWith(`${ip}:`) && at >= f.record.startMs) {
            recorder.endpointLeft(f, node, at);
          }
        }
      },
    });
    await new Promise((r) => setTimeout(r, 300));

    const ss = e.steadyState;
    const probeMs = ss.warmupMs + e.durationMs + e.faultDurationMs + ss.cooldownMs;
    const startedMs = Date.now();
    const probe = startProbe(cluster, probePod, target, ss, probeMs);
    progress(
      `probing at ${ss.rate}/s for ${probeMs / 1000} s; faults every ${e.everyMs / 1000} s for ${e.durationMs / 1000} s`,
    );

    const endFault = (f: ActiveFault) => {
      const p = recorder.end(f).catch((err: unknown) => {
        tickErrors.push(`ending ${f.record.target}: ${(err as Error).message}`);
      });
      ends.push(p);
      return p;
    };
    const tick = async () => {
      try {
        for (const f of await recorder.inject()) {
          active.push(f);
          progress(`${new Date(f.record.startMs).toISOString().slice(11, 23)} ${e.action} ${f.record.target}`);
          if (e.faultDurationMs > 0) {
            const t = setTimeout(() => {
              timers.delete(t);
              void endFault(f);
            }, e.faultDurationMs);
            timers.add(t);
          } else {
            void endFault(f);
          }
        }
      } catch (err) {
        tickErrors.push(`${new Date().toISOString()}: ${(err as Error).message}`);
        progress(`fault not injected: ${(err as Error).message}`);
      }
    };
    const ticks: Promise<void>[] = [];
    for (let at = ss.warmupMs; at < ss.warmupMs + e.durationMs; at += e.everyMs) {
      const t = setTimeout(
        () => {
          timers.delete(t);
          ticks.push(tick());
        },
        startedMs + at - Date.now(),
      );
      timers.add(t);
    }

    const aborted = new Promise<void>((resolve) => {
      if (o.signal?.aborted) resolve();
      o.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([probe.done, aborted]);
    if (o.signal?.aborted) {
      interrupted = true;
      progress('interrupted: undoing every fault');
      probe.stop();
    }
    for (const t of timers) clearTimeout(t);
    timers.clear();
    await Promise.all(ticks);
    for (const f of active) void endFault(f);
    await Promise.all(ends);
    await probe.done.catch((err: unknown) => {
      if (!interrupted) throw err;
    });
    const endedMs = Date.now();
    await watch.stop();
    await recorder.settled();

    const toSeq = await eventLog.lastSequence();
    const service = { namespace: target.namespace, name: target.service };
    const entries = await readTimelineEvents(eventLog, fromSeq, toSeq);
    const events = interpretEvents(entries, { namespaces, service });

    const records = probe.records;
    const probeEnd = startedMs + probeMs;
    const starts = active.map((f) => f.record.startMs).sort((a, b) => a - b);
    const faults: FaultReport[] = active.map((f) => faultReport(f.record));
    function faultReport(r: FaultRecord): FaultReport {
      const end = r.endMs ?? r.startMs;
      const horizon = Math.min(probeEnd, ...starts.filter((s) => s > end));
      const recovery = recoveryTime(records, end, ss.steadyMs, horizon);
      const report: FaultReport = {
        action: r.action,
        target: r.target,
        ...(r.node ? { node: r.node } : {}),
        ...(r.pod ? { pod: r.pod } : {}),
        start: new Date(r.startMs).toISOString(),
        end: r.endMs === undefined ? undefined : new Date(r.endMs).toISOString(),
        undone: r.undone,
        failedRequests: failuresBetween(records, r.startMs, recovery === undefined ? horizon : end + recovery),
        recoveryMs: recovery ?? null,
        log: faultSequences(r.log ?? { before: fromSeq - 1, start: fromSeq - 1 }, entries, service, r.pod?.ip),
      };
      const ip = r.pod?.ip;
      if (ip && r.action === 'pod-kill') {
        report.endpointLeftProxyMs = Object.fromEntries(
          cluster.layout.nodes.map((n) => {
            const at = watch.leftAt(n.name, ip, r.startMs);
            return [n.name, at === undefined ? null : Math.max(0, at - r.startMs)];
          }),
        );
      }
      return report;
    }

    const report = buildReport({
      experiment: e,
      cluster: cluster.name,
      startedMs,
      endedMs,
      probe: {
        ...summarizeProbe(records),
        url: ss.url,
        target: `${target.dnsName}:${target.port} via DNS ${target.dnsServer}`,
        rate: ss.rate,
        fromPod: `${target.namespace}/${PROBE_POD}`,
      },
      faults,
      faultRecords: active.map((f) => f.record),
      clusterEvents: events,
      fromSeq,
      toSeq,
      interrupted,
      errors: tickErrors,
    });
    return report;
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const f of active) await f.end().catch(() => undefined);
    await eventLog.close().catch(() => undefined);
    if (created) await deleteProbePod(cluster, target.namespace);
  }
}
