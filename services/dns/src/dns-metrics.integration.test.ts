/**
 * CoreDNS's metrics over a real event log and the real `dig`: queries answered from the
 * zone are counted by protocol and type, responses by rcode, timed, and the answer
 * cache's hits and misses show, all on the metrics port's /metrics.
 */
import { createMetricsRegistry, type MetricsServer, startMetricsServer } from '@kemu/metrics';
import { type EventLogFixture, freePort, service, startEventLogFixture } from '@kemu/testkit';
import { execFile } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDnsMetrics } from './metrics.js';
import { createQueryHandler } from './query-handler.js';
import { startTcpServer } from './tcp-server.js';
import { type DnsListener, startUdpServer } from './udp-server.js';
import { type ZoneSource, createZoneSource } from './zone-source.js';

const HOST = '127.0.0.1';

function dig(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('dig', [`@${HOST}`, '-p', String(port), '+time=2', '+tries=1', ...args], (err, stdout, stderr) => {
      if (err && !stdout) reject(new Error(`dig failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** The value of the sample of `name` whose line includes every label. */
function sample(text: string, name: string, ...labels: string[]): number | undefined {
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && labels.every((x) => l.includes(x)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('dns metrics', () => {
  let fx: EventLogFixture;
  let zone: ZoneSource;
  let listeners: DnsListener[] = [];
  let metricsServer: MetricsServer;
  let port: number;

  beforeEach(async () => {
    fx = await startEventLogFixture();
    zone = createZoneSource(fx.informer, { domain: 'cluster.local' });
    const handler = createQueryHandler({ zone: zone.current, zoneOptions: { ttl: 5, pods: 'insecure' } });
    const registry = createMetricsRegistry();
    const metrics = createDnsMetrics(registry, handler);
    port = await freePort(HOST);
    const options = { host: HOST, port, handler, log: fx.log, onQuery: metrics.record };
    listeners = [await startUdpServer(options), await startTcpServer(options)];
    metricsServer = await startMetricsServer({ host: HOST, port: 0, registry });
  });

  afterEach(async () => {
    for (const l of listeners) await l.close();
    await metricsServer.close();
    zone.stop();
    await fx.close();
  });

  it('counts requests by protocol and type, responses by rcode, their durations and cache hits', async () => {
    await fx.api.put(
      { resource: 'services', namespace: 'default', name: 'web' },
      service('web', { clusterIP: '10.96.0.20' }),
    );
    zone.current();
    expect(await dig(port, ['+short', '+nocookie', 'web.default.svc.cluster.local'])).toBe('10.96.0.20\n');
    expect(await dig(port, ['+short', '+nocookie', 'web.default.svc.cluster.local'])).toBe('10.96.0.20\n');
    expect(await dig(port, ['+tcp', 'SRV', 'nope.default.svc.cluster.local'])).toContain('NXDOMAIN');
    const text = await (await fetch(`http://${HOST}:${metricsServer.port}/metrics`)).text();
    expect(sample(text, 'coredns_dns_requests_total', 'proto="udp"', 'type="A"', 'zone="."')).toBe(2);
    expect(sample(text, 'coredns_dns_requests_total', 'proto="tcp"', 'type="SRV"')).toBe(1);
    expect(sample(text, 'coredns_dns_responses_total', 'rcode="NOERROR"')).toBe(2);
    expect(sample(text, 'coredns_dns_responses_total', 'rcode="NXDOMAIN"')).toBe(1);
    expect(sample(text, 'coredns_dns_request_duration_seconds_count', 'type="A"')).toBe(2);
    expect(sample(text, 'coredns_cache_hits_total', 'type="success"')).toBe(1);
    expect(sample(text, 'coredns_cache_misses_total')).toBe(2);
    expect(sample(text, 'coredns_cache_entries')).toBe(2);
  });
});
