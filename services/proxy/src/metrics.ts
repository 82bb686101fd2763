/**
 * Connection counters of the data plane. Plain integers bumped once per connection or
 * flow (never per packet), read by the periodic metrics log line.
 */

/** Counters shared by every listener of one proxy. */
export interface ProxyMetrics {
  /** TCP connections accepted on a ClusterIP. */
  tcpAccepted: number;
  /** TCP connections currently proxied or dialing. */
  tcpActive: number;
  /** Single dial attempts that failed or timed out (each is retried on another endpoint). */
  tcpDialFailures: number;
  /** Inbound connections closed because no endpoint could be reached. */
  tcpFailed: number;
  /** Bytes from clients to endpoints and back, counted when a connection closes. */
  tcpBytesIn: number;
  tcpBytesOut: number;
  /** UDP flows (client address → endpoint) created and currently open. */
  udpFlowsCreated: number;
  udpFlowsActive: number;
  /** UDP datagrams dropped (no endpoint, send error, queue full). */
  udpDropped: number;
}

/** Creates zeroed counters. */
export function createProxyMetrics(): ProxyMetrics {
  return {
    tcpAccepted: 0,
    tcpActive: 0,
    tcpDialFailures: 0,
    tcpFailed: 0,
    tcpBytesIn: 0,
    tcpBytesOut: 0,
    udpFlowsCreated: 0,
    udpFlowsActive: 0,
    udpDropped: 0,
  };
}
