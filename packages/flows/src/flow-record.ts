/**
 * Flow records: what the data plane did with each connection and DNS query. The format
 * belongs to no proxy mode: the userspace proxy fills it from its sockets, the nftables
 * mode from the node netns's conntrack events. Version 1; a reader skips kinds it does not know.
 */

/** The schema version written in every record. */
export const FLOW_SCHEMA_VERSION = 1;

/** How a connection ended, in the words a user sees. */
export type FlowResult = 'ok' | 'refused' | 'timeout' | 'reset' | 'no-endpoints';

/**
 * Why this endpoint: the userspace balancer's turn, ClientIP affinity, a retry after a
 * failed dial, or the kernel's `numgen random` pick (nftables mode).
 */
export type PickReason = 'round-robin' | 'session-affinity' | 'retry' | 'random';

/** What saw the flow: the proxy's own sockets, or the node netns's conntrack events. */
export type FlowSource = 'socket' | 'conntrack';

/** One TCP connection or UDP flow through a node's proxy. */
export interface ConnectionFlow {
  kind: 'conn';
  v: number;
  protocol: 'TCP' | 'UDP';
  /** The node whose proxy handled it. */
  node: string;
  /** Which proxy implementation recorded it (`userspace`, `nftables`, ...). */
  mode: string;
  /** Where the record came from (absent: `socket`, the userspace proxy's own connections). */
  source?: FlowSource;
  /** Client `ip:port` before the proxy. */
  client: string;
  clusterIP: string;
  port: number;
  /** ServicePortName: `namespace/name` or `namespace/name:port`. */
  service: string;
  /** resourceVersions of the EndpointSlices the proxy programmed this port from. */
  sliceVersions: string[];
  /** The event log sequence the proxy's view was at when it programmed these endpoints. */
  programmedAtSeq: number;
  /** The endpoints (`ip:port`) the balancer could pick from, in its order. */
  candidates: string[];
  /** Every endpoint tried, in order; the last is the one used when the result is ok. */
  tried: string[];
  reason: PickReason;
  /** The endpoint `ip:port` the connection went to (absent when none was reached). */
  endpoint?: string;
  /** The client address the endpoint sees (`ip:port` after the proxy: its own, or the masquerade in nftables mode). */
  proxyAddress?: string;
  result: FlowResult;
  /** Bytes from the client to the endpoint. */
  bytesIn: number;
  /** Bytes from the endpoint to the client. */
  bytesOut: number;
  /** Unix ms when the proxy accepted the connection (or the first datagram). */
  startedAt: number;
  /** How many flows this record stands for when the recorder was sampling (absent: 1). */
  weight?: number;
  /** ms until the endpoint answered the dial (absent when it never did). */
  connectMs?: number;
  durationMs: number;
}

/** One DNS query answered by a cluster DNS server. */
export interface DnsFlow {
  kind: 'dns';
  v: number;
  /** The dns pod (or server) that answered. */
  server: string;
  node: string;
  /** Client `ip:port`. */
  client: string;
  name: string;
  /** Query type: A, AAAA, SRV, PTR, ... */
  type: string;
  /** The answer's data, one string per record. */
  answers: string[];
  /** NOERROR, NXDOMAIN, SERVFAIL, ... */
  rcode: string;
  transport: 'udp' | 'tcp';
  startedAt: number;
  /** How many queries this record stands for when the recorder was sampling (absent: 1). */
  weight?: number;
  durationMs: number;
}

/** Any record on the flow stream. */
export type FlowRecord = ConnectionFlow | DnsFlow;

/** A record with the stream position it was read from. */
export interface StoredFlow {
  /** The flow stream sequence of the batch it came in. */
  seq: number;
  record: FlowRecord;
}
