/**
 * The node-agent's metrics endpoints over a real event log: a pod bound to the node goes
 * from Pending to Running and kubelet_pod_start_duration_seconds counts it once; its
 * container (a real busy process, found by the pid in its containerID) shows in
 * /metrics/resource with CPU time and memory, and the node with at least as much.
 */
import { createMetricsRegistry, parseResourceMetrics } from '@kemu/metrics';
import { type EventLogFixture, pod, startEventLogFixture } from '@kemu/testkit';
import { type ChildProcess, spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listObjects } from '@kemu/eventlog';
import { startNodeEndpoints } from '../registration/node-endpoints.js';
import { registerKubeletMetrics } from './kubelet-metrics.js';
import { metricsPaths } from './resource-usage.js';

describe('node-agent metrics endpoints', () => {
  let fx: EventLogFixture;
  let server: Server;
  let stop: () => void;
  let busy: ChildProcess;
  let base: string;

  beforeEach(async () => {
    fx = await startEventLogFixture({ component: 'node-agent', node: 'n1' });
    const registry = createMetricsRegistry();
    stop = registerKubeletMetrics(registry, fx.informer, 'n1');
    const ownPods = () => listObjects(fx.informer.view, 'pods').filter((p) => p.spec.nodeName === 'n1');
    server = await startNodeEndpoints({
      view: fx.informer.view,
      node: 'n1',
      address: '127.0.0.1',
      port: 0,
      paths: metricsPaths(registry, ownPods),
      log: fx.log,
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    busy = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  });

  afterEach(async () => {
    busy.kill('SIGKILL');
    stop();
    await new Promise((r) => server.close(r));
    await fx.close();
  });

  it('times the pod start and serves its container usage at /metrics/resource', async () => {
    const key = { resource: 'pods', namespace: 'default', name: 'web' };
    const pending = pod('web', { node: 'n1', phase: 'Pending' });
    await fx.api.put(key, pending);
    const startedAt = new Date().toISOString();
    await fx.api.update(key, (p) => ({
      ...p,
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'c',
            ready: true,
            restartCount: 0,
            image: 'busybox',
            imageID: '',
            containerID: `kemu://${busy.pid}`,
            state: { running: { startedAt } },
          },
        ],
      },
    }));
    await fx.api.update(key, (p) => ({ ...p, metadata: { ...p.metadata, labels: { touched: 'yes' } } }));
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^kubelet_pod_start_duration_seconds_count 1$/m);
    expect(text).toMatch(/^kubelet_running_pods 1$/m);
    expect(text).toMatch(/^kubelet_running_containers\{container_state="running"\} 1$/m);

    const deadline = Date.now() + 10_000;
    let usage = parseResourceMetrics(await (await fetch(`${base}/metrics/resource`)).text(), 0);
    while ((usage.containers[0]?.cpuSeconds ?? 0) < 0.05 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      usage = parseResourceMetrics(await (await fetch(`${base}/metrics/resource`)).text(), 0);
    }
    const [c] = usage.containers;
    expect(c).toMatchObject({ namespace: 'default', pod: 'web', container: 'c' });
    expect(c?.cpuSeconds).toBeGreaterThanOrEqual(0.05);
    expect(c?.memoryBytes).toBeGreaterThan(0);
    expect(c?.startTime).toBeCloseTo(Date.parse(startedAt) / 1000, 0);
    expect(usage.node.cpuSeconds).toBeGreaterThanOrEqual(c?.cpuSeconds ?? 0);
    expect(usage.node.memoryBytes).toBeGreaterThan(c?.memoryBytes ?? 0);
    expect(usage.timestampMs).toBeGreaterThan(Date.now() - 60_000);
  });
});
