/**
 * kube-proxy's metrics over a real event log: a Service and its EndpointSlice written
 * to the log are programmed by the userspace proxier through the sync runner, and the
 * debug endpoint's /metrics then shows the sync durations, the last sync time, the change
 * counters and one network programming latency per change, measured from the write.
 */
import { createMetricsRegistry } from '@kemu/metrics';
import {
  type EventLogFixture,
  endpointSlice,
  eventually,
  freePort,
  service,
  startEventLogFixture,
} from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoundRobinBalancer } from './balancer.js';
import { type DebugServer, startDebugServer } from './debug-server.js';
import { computeDesiredState } from './desired-state.js';
import { createEndpointsTracker } from './endpoints-tracker.js';
import { createLoopbackAddresses } from './loopback-addresses.js';
import { createProxyMetrics } from './metrics.js';
import { type Proxier, createProxier } from './proxier.js';
import { createServiceTracker } from './service-tracker.js';
import { createSyncMetrics } from './sync-metrics.js';
import { type SyncRunner, createSyncRunner } from './sync-runner.js';
import { loadTrackers, registerTrackerHandlers } from './tracker-handlers.js';

const VIP = '127.0.0.60';

/** The value of the sample of `name` whose line includes every label. */
function sample(text: string, name: string, ...labels: string[]): number | undefined {
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && labels.every((x) => l.includes(x)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('kube-proxy metrics', () => {
  let fx: EventLogFixture;
  let runner: SyncRunner;
  let proxier: Proxier;
  let debug: DebugServer;
  let stopHandlers: () => void;

  beforeEach(async () => {
    fx = await startEventLogFixture();
    const registry = createMetricsRegistry();
    const counters = createProxyMetrics();
    const metrics = createSyncMetrics(registry, counters, fx.informer.isSynced);
    const services = createServiceTracker();
    const endpoints = createEndpointsTracker();
    proxier = createProxier({
      addresses: createLoopbackAddresses({ serviceCIDR: '10.96.0.0/12' }),
      balancer: createRoundRobinBalancer(),
      metrics: counters,
      log: fx.log,
    });
    runner = createSyncRunner({
      log: fx.log,
      sync: () =>
        metrics.timed(() =>
          proxier.syncProxyRules(computeDesiredState(services.servicePorts(), endpoints.endpointsFor, 'node-1')),
        ),
    });
    stopHandlers = registerTrackerHandlers(fx.informer, services, endpoints, (change) => {
      metrics.changed(change);
      runner.request();
    });
    loadTrackers(fx.informer.view, services, endpoints);
    runner.start();
    debug = await startDebugServer({
      host: '127.0.0.1',
      port: 0,
      node: 'node-1',
      servicePorts: proxier.servicePorts,
      metrics: registry,
      log: fx.log,
    });
  });

  afterEach(async () => {
    stopHandlers();
    await debug.close();
    await runner.stop();
    await proxier.stop();
    await fx.close();
  });

  it('serves the sync duration, last sync time, change counters and network programming latency at /metrics', async () => {
    const port = await freePort(VIP);
    const started = Date.now() / 1000;
    await fx.api.put(
      { resource: 'services', namespace: 'default', name: 'web' },
      service('web', { clusterIP: VIP, ports: [{ name: 'http', port, targetPort: 8080, protocol: 'TCP' }] }),
    );
    await fx.api.put(
      { resource: 'endpointslices', namespace: 'default', name: 'web-abc12' },
      endpointSlice('web', { endpoints: [{ ip: '127.0.0.2' }] }),
    );
    const text = await eventually(
      async () => {
        const body = await (await fetch(`http://127.0.0.1:${debug.port}/metrics`)).text();
        if ((sample(body, 'kubeproxy_network_programming_duration_seconds_count') ?? 0) < 2) throw new Error('not yet');
        return body;
      },
      { timeoutMs: 5_000 },
    );
    expect(sample(text, 'kubeproxy_sync_proxy_rules_service_changes_total')).toBe(1);
    expect(sample(text, 'kubeproxy_sync_proxy_rules_endpoint_changes_total')).toBe(1);
    expect(sample(text, 'kubeproxy_sync_proxy_rules_duration_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'kubeproxy_sync_proxy_rules_last_timestamp_seconds')).toBeGreaterThanOrEqual(
      Math.floor(started),
    );
    // Programmed within a second of each write, on an idle machine within milliseconds.
    expect(sample(text, 'kubeproxy_network_programming_duration_seconds_bucket', 'le="1"')).toBe(2);
    expect(sample(text, 'kemu_proxy_userspace_connections', 'kind="tcp_accepted"')).toBe(0);
    expect(proxier.servicePorts().map((p) => p.servicePort)).toEqual(['default/web:http']);
    // A change to what the proxy does not program is no change to count or time.
    await fx.api.update({ resource: 'services', namespace: 'default', name: 'web' }, (s) => ({
      ...s,
      metadata: { ...s.metadata, labels: { tier: 'web' } },
    }));
    const after = await (await fetch(`http://127.0.0.1:${debug.port}/metrics`)).text();
    expect(sample(after, 'kubeproxy_sync_proxy_rules_service_changes_total')).toBe(1);
    expect(sample(after, 'kubeproxy_network_programming_duration_seconds_count')).toBe(2);
  });
});
