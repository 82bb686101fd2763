/**
 * client-go's workqueue metrics (k8s.io/component-base/metrics/prometheus/workqueue),
 * labelled by queue name: adds, depth, time waiting in the queue, time processing and
 * retries (not yet the unfinished-work gauges). A queue reports through
 * the per-queue handle `forQueue(name)` returns, as client-go's MetricsProvider.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsRegistry } from './metrics-registry.js';

/** What one queue reports. */
export interface WorkQueueMetrics {
  /** A key was added (it was not queued yet); `depth` is the queue's new length. */
  added(depth: number): void;
  /** Processing of a key began after `queuedSeconds` in the queue; `depth` is the new length. */
  started(queuedSeconds: number, depth: number): void;
  /** Processing of a key took `workSeconds`. */
  finished(workSeconds: number): void;
  /** A key was re-queued with a delay after a failure. */
  retried(): void;
}

/** Gives each queue its handle. */
export type WorkQueueMetricsProvider = (name: string) => WorkQueueMetrics;

/** client-go's buckets: 1 µs to 10 s, ×10. */
const BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];

/** Registers the workqueue_* metrics and returns the provider of per-queue handles. */
export function workQueueMetricsProvider(registry: MetricsRegistry): WorkQueueMetricsProvider {
  const registers = [registry];
  const adds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames: ['name'],
    registers,
  });
  const depth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name'],
    registers,
  });
  const queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested.',
    labelNames: ['name'],
    buckets: BUCKETS,
    registers,
  });
  const workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes.',
    labelNames: ['name'],
    buckets: BUCKETS,
    registers,
  });
  const retries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    labelNames: ['name'],
    registers,
  });
  return (name) => {
    const labels = { name };
    adds.inc(labels, 0);
    depth.set(labels, 0);
    retries.inc(labels, 0);
    return {
      added(n) {
        adds.inc(labels);
        depth.set(labels, n);
      },
      started(queuedSeconds, n) {
        queueDuration.observe(labels, queuedSeconds);
        depth.set(labels, n);
      },
      finished(workSeconds) {
        workDuration.observe(labels, workSeconds);
      },
      retried() {
        retries.inc(labels);
      },
    };
  };
}
