/**
 * kemu's own metrics of the event log every component reads and writes, where
 * Kubernetes has etcd's and the apiserver's storage metrics: how long an append takes
 * (etcd_request_duration_seconds' place), how many events the component's informer is
 * behind the stream (a watch cache's lag, in events), and the age of the newest
 * snapshot informers start from. Lag and age are read when scraped.
 */
import { Gauge, Histogram } from 'prom-client';
import type { MetricsRegistry } from './metrics-registry.js';

/** What the scrape-time gauges read. */
export interface EventLogProbe {
  /** The stream's last sequence now. */
  lastSequence(): Promise<number>;
  /** The sequence the informer's view has applied. */
  viewSeq(): number;
  /** The newest snapshot's name and when the event it covers was stored (undefined: no snapshot). */
  newestSnapshot?(): Promise<{ name: string; time: Date | undefined } | undefined>;
}

/** Times of appends, observed by the caller around each append. */
export interface AppendTimer {
  /** Observes one append that took `seconds`; `ok` false for a failed one. */
  observe(seconds: number, ok: boolean): void;
}

/** Registers kemu_eventlog_* and kemu_informer_* on the registry. */
export function registerEventLogMetrics(registry: MetricsRegistry, probe: EventLogProbe): AppendTimer {
  const registers = [registry];
  const appends = new Histogram({
    name: 'kemu_eventlog_append_duration_seconds',
    help: 'Time to append one event to the event log (JetStream publish with expected subject sequence), by result.',
    labelNames: ['result'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  new Gauge({
    name: 'kemu_informer_lag_events',
    help: "Events in the event log that this component's informer has not applied yet.",
    registers,
    async collect() {
      const last = await probe.lastSequence().catch(() => undefined);
      if (last !== undefined) this.set(Math.max(0, last - probe.viewSeq()));
    },
  });
  new Gauge({
    name: 'kemu_informer_applied_sequence',
    help: "The event log sequence this component's informer has applied.",
    registers,
    collect() {
      this.set(probe.viewSeq());
    },
  });
  if (probe.newestSnapshot) {
    const newest = probe.newestSnapshot;
    new Gauge({
      name: 'kemu_eventlog_snapshot_age_seconds',
      help: 'Age of the newest event-log snapshot informers start from (time since the event it covers was stored); absent without one.',
      labelNames: ['snapshot'],
      registers,
      async collect() {
        const newestSnapshot = await newest().catch(() => undefined);
        this.reset();
        if (newestSnapshot?.time)
          this.set({ snapshot: newestSnapshot.name }, Math.max(0, (Date.now() - newestSnapshot.time.getTime()) / 1000));
      },
    });
  }
  return {
    observe(seconds, ok) {
      appends.observe({ result: ok ? 'ok' : 'error' }, seconds);
    },
  };
}
