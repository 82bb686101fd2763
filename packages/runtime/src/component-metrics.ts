/**
 * The metrics every component process has: a registry with the process metrics, and the
 * event log's (append latency, informer lag, snapshot age). Appends are timed by wrapping
 * the connection's `append`, so every writer built on it is measured without knowing.
 */
import { type EventLog, type Informer, type SnapshotStore, openSnapshotStore } from '@kemu/eventlog';
import { type MetricsRegistry, createMetricsRegistry, registerEventLogMetrics } from '@kemu/metrics';

/** Creates the component's registry and returns the event log with timed appends. */
export function instrumentComponent(
  eventLog: EventLog,
  informer: () => Informer | undefined,
): { registry: MetricsRegistry; eventLog: EventLog } {
  const registry = createMetricsRegistry();
  let snapshots: SnapshotStore | undefined;
  const timer = registerEventLogMetrics(registry, {
    lastSequence: () => eventLog.lastSequence(),
    viewSeq: () => informer()?.view.seq ?? 0,
    async newestSnapshot() {
      snapshots ??= await openSnapshotStore(eventLog);
      return (await snapshots?.list())?.[0];
    },
  });
  const timed: EventLog = {
    nc: eventLog.nc,
    js: eventLog.js,
    jsm: eventLog.jsm,
    lastSequence: () => eventLog.lastSequence(),
    close: () => eventLog.close(),
    async append(event, expectedSeq, subject) {
      const t0 = performance.now();
      try {
        // The subject too: a node's status record goes on its node's subject, not the object's.
        const seq = await eventLog.append(event, expectedSeq, subject);
        timer.observe((performance.now() - t0) / 1000, true);
        return seq;
      } catch (err) {
        timer.observe((performance.now() - t0) / 1000, false);
        throw err;
      }
    },
  };
  return { registry, eventLog: timed };
}
