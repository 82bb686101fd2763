/**
 * kube-proxy's metrics (pkg/proxy/metrics), the same in both proxy modes because they
 * are taken around the one sync the runner drives: how long a sync takes, when the last
 * one ended, and the network programming latency — from the moment a Service or
 * EndpointSlice change was written to the event log (the event's time, where kube-proxy
 * reads the slice's last-change-trigger-time annotation) to the end of the sync that
 * programmed it. The userspace data plane's connection counters are exported beside them.
 */
import type { Change } from '@kemu/eventlog';
import { Counter, Gauge, Histogram, type MetricsRegistry } from '@kemu/metrics';
import type { ProxyMetrics } from './metrics.js';

/** The sync's instruments. */
export interface SyncMetrics {
  /** Runs one sync, timing it and observing the programming latency of the changes it covers. */
  timed(sync: () => Promise<void>): Promise<void>;
  /** Records a Service or EndpointSlice change the trackers reported (one that changes what is programmed). */
  changed(change: Change): void;
}

/** kube-proxy's sync duration buckets (exponential from 1 ms). */
const SYNC_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192];
/** kube-proxy's network programming buckets (0.25 s … 300 s), with finer ones below for a local cluster. */
const PROGRAMMING_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** Registers the kubeproxy_* metrics and the data plane's counters on the registry. */
export function createSyncMetrics(
  registry: MetricsRegistry,
  counters: ProxyMetrics,
  /** False while the informer replays history: replayed changes are not changes to program now. */
  isLive: () => boolean,
  now = Date.now,
): SyncMetrics {
  const registers = [registry];
  const duration = new Histogram({
    name: 'kubeproxy_sync_proxy_rules_duration_seconds',
    help: 'SyncProxyRules latency in seconds',
    buckets: SYNC_BUCKETS,
    registers,
  });
  const last = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
    help: 'The last time proxy rules were successfully synced',
    registers,
  });
  const programming = new Histogram({
    name: 'kubeproxy_network_programming_duration_seconds',
    help: 'In Cluster Network Programming Latency in seconds',
    buckets: PROGRAMMING_BUCKETS,
    registers,
  });
  const endpointChanges = new Counter({
    name: 'kubeproxy_sync_proxy_rules_endpoint_changes_total',
    help: 'Cumulative proxy rules Endpoint changes',
    registers,
  });
  const serviceChanges = new Counter({
    name: 'kubeproxy_sync_proxy_rules_service_changes_total',
    help: 'Cumulative proxy rules Service changes',
    registers,
  });
  new Gauge({
    name: 'kemu_proxy_userspace_connections',
    help: "The userspace data plane's counters by kind (tcp_accepted, tcp_active, udp_flows_created, …).",
    labelNames: ['kind'],
    registers,
    collect() {
      for (const [k, v] of Object.entries(counters))
        this.set({ kind: k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) }, v);
    },
  });
  // Write times (ms) of changes not yet covered by a finished sync.
  let pending: number[] = [];
  return {
    async timed(sync) {
      const covered = pending;
      pending = [];
      const t0 = performance.now();
      try {
        await sync();
      } catch (err) {
        pending = [...covered, ...pending];
        throw err;
      }
      duration.observe((performance.now() - t0) / 1000);
      const end = now();
      last.set(end / 1000);
      for (const t of covered) programming.observe(Math.max(0, end - t) / 1000);
    },
    changed(change) {
      if (!isLive()) return;
      (change.key.resource === 'services' ? serviceChanges : endpointChanges).inc();
      const t = Date.parse(change.event.time);
      if (Number.isFinite(t)) pending.push(t);
    },
  };
}
