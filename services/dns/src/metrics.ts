/**
 * CoreDNS's metrics (plugin/metrics and plugin/cache) in the Prometheus text format,
 * served on the `metrics` port (9153) at /metrics, so the kube-dns Service's third port
 * answers as in a cluster. Recorded once per query on the hot path with prom-client's
 * labelled children, which it caches.
 */
import { Counter, Gauge, Histogram, type MetricsRegistry } from '@kemu/metrics';
import type { QueryHandler } from './query-handler.js';
import type { QueryEvent } from './udp-server.js';

/** Query counters. */
export interface DnsMetrics {
  record(event: QueryEvent): void;
}

/** CoreDNS's duration buckets (0.25 ms … 8 s, ×2). */
const DURATION_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);

/** Registers the coredns_* metrics; the cache ones read `handler` when scraped. */
export function createDnsMetrics(registry: MetricsRegistry, handler: Pick<QueryHandler, 'cacheStats'>): DnsMetrics {
  const registers = [registry];
  const server = 'dns://:53';
  const zone = '.';
  const requests = new Counter({
    name: 'coredns_dns_requests_total',
    help: 'Counter of DNS requests made per zone, protocol and family.',
    labelNames: ['server', 'zone', 'view', 'proto', 'family', 'type'],
    registers,
  });
  const responses = new Counter({
    name: 'coredns_dns_responses_total',
    help: 'Counter of response status codes.',
    labelNames: ['server', 'zone', 'view', 'rcode', 'plugin'],
    registers,
  });
  const duration = new Histogram({
    name: 'coredns_dns_request_duration_seconds',
    help: 'Histogram of the time (in seconds) each request took per zone.',
    labelNames: ['server', 'zone', 'view', 'type'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const cacheLabels = { server, zone, view: '' };
  new Counter({
    name: 'coredns_cache_hits_total',
    help: 'The count of cache hits.',
    labelNames: ['server', 'zones', 'view', 'type'],
    registers,
    collect() {
      this.reset();
      this.inc({ server, zones: zone, view: '', type: 'success' }, handler.cacheStats().hits);
    },
  });
  new Counter({
    name: 'coredns_cache_misses_total',
    help: 'The count of cache misses.',
    labelNames: ['server', 'zones', 'view'],
    registers,
    collect() {
      this.reset();
      this.inc({ server, zones: zone, view: '' }, handler.cacheStats().misses);
    },
  });
  new Gauge({
    name: 'coredns_cache_entries',
    help: 'The number of elements in the cache.',
    labelNames: ['server', 'zones', 'view', 'type'],
    registers,
    collect() {
      this.set({ server, zones: zone, view: '', type: 'success' }, handler.cacheStats().entries);
    },
  });
  return {
    record(e) {
      requests.inc({ ...cacheLabels, proto: e.proto, family: '1', type: e.type || 'other' });
      responses.inc({ ...cacheLabels, rcode: e.rcode, plugin: '' });
      duration.observe({ ...cacheLabels, type: e.type || 'other' }, e.ms / 1000);
    },
  };
}
