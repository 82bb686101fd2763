import { describe, expect, it } from 'vitest';
import { parseResourceMetrics, parseSamples, renderResourceMetrics } from './resource-metrics.js';

describe('resource metrics', () => {
  const usage = {
    timestampMs: 1_700_000_000_123,
    node: { cpuSeconds: 12.5, memoryBytes: 1_000_000 },
    containers: [
      {
        namespace: 'default',
        pod: 'web',
        container: 'app',
        cpuSeconds: 3,
        memoryBytes: 4096,
        startTime: 1_699_999_000,
      },
      { namespace: 'default', pod: 'web', container: 'side', cpuSeconds: 1, memoryBytes: 1024 },
      { namespace: 'kube-system', pod: 'dns "x"', container: 'c', cpuSeconds: 0.5, memoryBytes: 2048 },
    ],
  };

  it('renders the kubelet names with a timestamp on every sample and pod totals', () => {
    const text = renderResourceMetrics(usage);
    expect(text).toContain('# TYPE container_cpu_usage_seconds_total counter');
    expect(text).toContain(
      'container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} 3 1700000000123',
    );
    expect(text).toContain('pod_cpu_usage_seconds_total{namespace="default",pod="web"} 4 1700000000123');
    expect(text).toContain('pod_memory_working_set_bytes{namespace="default",pod="web"} 5120 1700000000123');
    expect(text).toContain('node_memory_working_set_bytes 1000000 1700000000123');
    expect(text).toContain('pod="dns \\"x\\""');
    expect(text).toMatch(/^scrape_error 0$/m);
  });

  it('parses what it renders back into the same measurement', () => {
    expect(parseResourceMetrics(renderResourceMetrics(usage), 0)).toEqual(usage);
  });

  it('parses samples with and without labels and timestamps, skipping comments and junk', () => {
    const samples = parseSamples('# HELP x y\nx 1\ny{a="b\\\\c",d="e"} 2.5e3 99\nnot a sample line at all\nz{} NaN\n');
    expect(samples).toEqual([
      { name: 'x', labels: {}, value: 1, timestampMs: undefined },
      { name: 'y', labels: { a: 'b\\c', d: 'e' }, value: 2500, timestampMs: 99 },
      { name: 'z', labels: {}, value: Number.NaN, timestampMs: undefined },
    ]);
  });
});
