/** A DNS flow record from an answered query (the shape shared with the proxy's records, @kemu/flows). */
import type { DnsFlow } from '@kemu/flows';
import type { QueryEvent } from './udp-server.js';

/** The flow record of one answered query that finished at `now` (Unix ms). */
export function dnsFlowOf(e: QueryEvent, server: string, node: string, now: number): DnsFlow {
  return {
    kind: 'dns',
    v: 1,
    server,
    node,
    client: e.client,
    name: e.name,
    type: e.type,
    answers: e.answers ?? [],
    rcode: e.rcode,
    transport: e.proto,
    startedAt: Math.round(now - e.ms),
    durationMs: Math.round(e.ms * 1000) / 1000,
  };
}
