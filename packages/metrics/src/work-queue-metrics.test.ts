import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './metrics-registry.js';
import { workQueueMetricsProvider } from './work-queue-metrics.js';

describe('workQueueMetricsProvider', () => {
  it("reports client-go's workqueue metrics labelled by queue name", async () => {
    const registry = createMetricsRegistry();
    const provider = workQueueMetricsProvider(registry);
    const q = provider('deployment');
    provider('replicaset');
    q.added(1);
    q.added(2);
    q.started(0.002, 1);
    q.finished(0.01);
    q.retried();
    const text = await registry.metrics();
    expect(text).toContain('workqueue_adds_total{name="deployment"} 2');
    expect(text).toContain('workqueue_adds_total{name="replicaset"} 0');
    expect(text).toContain('workqueue_depth{name="deployment"} 1');
    expect(text).toContain('workqueue_queue_duration_seconds_count{name="deployment"} 1');
    expect(text).toContain('workqueue_work_duration_seconds_sum{name="deployment"} 0.01');
    expect(text).toContain('workqueue_retries_total{name="deployment"} 1');
    expect(text).toContain('process_cpu_seconds_total');
  });
});
