/**
 * CoreDNS-named counters in the Prometheus text format, served on the `metrics` port
 * (9153) at /metrics, so the kube-dns Service's third port answers as in a cluster.
 */
import { type Server, createServer } from 'node:http';
import type { QueryEvent } from './udp-server.js';

/** Query counters. */
export interface DnsMetrics {
  record(event: QueryEvent): void;
  /** The Prometheus text exposition. */
  render(): string;
}

/** Creates empty counters. */
export function createDnsMetrics(): DnsMetrics {
  // Counted on the hot path without building label strings: proto → type → count, rcode → count.
  const requests = new Map<string, Map<string, number>>();
  const responses = new Map<string, number>();
  return {
    record(e) {
      let byType = requests.get(e.proto);
      if (!byType) requests.set(e.proto, (byType = new Map()));
      byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
      responses.set(e.rcode, (responses.get(e.rcode) ?? 0) + 1);
    },
    render() {
      const server = 'server="dns://:53",zone="."';
      const lines = [
        '# HELP coredns_dns_requests_total Counter of DNS requests made per zone, protocol and family.',
        '# TYPE coredns_dns_requests_total counter',
        ...[...requests].flatMap(([proto, byType]) =>
          [...byType].map(([type, v]) => `coredns_dns_requests_total{${server},proto="${proto}",type="${type}"} ${v}`),
        ),
        '# HELP coredns_dns_responses_total Counter of response status codes.',
        '# TYPE coredns_dns_responses_total counter',
        ...[...responses].map(([rcode, v]) => `coredns_dns_responses_total{${server},rcode="${rcode}"} ${v}`),
      ];
      return `${lines.join('\n')}\n`;
    },
  };
}

/** Serves GET /metrics on host:port; returns the server. */
export async function startMetricsServer(host: string, port: number, metrics: DnsMetrics): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics.render());
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
