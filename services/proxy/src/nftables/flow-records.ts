/**
 * Flow records for the nftables mode, where no userspace process sees a connection:
 * built from a node netns's conntrack events. A flow to a ClusterIP starts at its NEW
 * event; the endpoint is the reply direction's source (the DNAT target the kernel
 * picked at random). A TCP flow ends at its first TIME_WAIT or CLOSE state, any flow at
 * its DESTROY; only DESTROY carries byte counters, so a TCP record that closed cleanly
 * has none (its DESTROY comes two minutes later, after TIME_WAIT). Packets the rules
 * rejected (no endpoints) never become conntrack entries and give no record.
 */
import type { ConntrackEvent } from './conntrack-events.js';

/** How a flow ended. */
export type FlowResult = 'ok' | 'refused' | 'unreplied' | 'no-endpoint';

/** One finished flow through a ClusterIP. */
export interface FlowRecord {
  node: string;
  protocol: string;
  /** `ip:port` of the client. */
  client: string;
  /** `clusterIP:port` the client asked for. */
  service: string;
  /** `ip:port` the kernel DNATed to; absent when no rule matched (unknown ClusterIP). */
  endpoint?: string;
  result: FlowResult;
  startMs: number;
  durationMs: number;
  /** Client → endpoint and back, when the kernel counted them. */
  bytesSent?: number;
  bytesReceived?: number;
}

/** Turns conntrack events into flow records. */
export interface FlowRecorder {
  /** Feeds one event; returns the record of a flow it finished. */
  onEvent(event: ConntrackEvent): FlowRecord | undefined;
  /** Flows started and not yet finished. */
  openFlows(): number;
}

/** Who and where. */
export interface FlowRecorderOptions {
  node: string;
  /** True for addresses in the service CIDR. */
  isClusterIP(ip: string): boolean;
  now?: () => number;
}

interface OpenFlow {
  startMs: number;
  established: boolean;
}

const addr = (ip: string, port: number | undefined) => (port === undefined ? ip : `${ip}:${port}`);
const keyOf = (e: ConntrackEvent) =>
  e.id !== undefined
    ? String(e.id)
    : `${e.protocol} ${e.original.src}:${e.original.sport} ${e.original.dst}:${e.original.dport}`;

/** Creates a recorder with no open flows. */
export function createFlowRecorder(options: FlowRecorderOptions): FlowRecorder {
  const now = options.now ?? Date.now;
  const open = new Map<string, OpenFlow>();

  function finish(e: ConntrackEvent, flow: OpenFlow): FlowRecord {
    const dnat = e.reply.src !== e.original.dst;
    const atMs = e.timeMs ?? now();
    const replied = flow.established || e.assured || (!e.unreplied && e.protocol !== 'tcp');
    let result: FlowResult = replied ? 'ok' : e.protocol === 'tcp' && e.state === 'CLOSE' ? 'refused' : 'unreplied';
    if (!dnat) result = 'no-endpoint';
    const record: FlowRecord = {
      node: options.node,
      protocol: e.protocol,
      client: addr(e.original.src, e.original.sport),
      service: addr(e.original.dst, e.original.dport),
      result,
      startMs: flow.startMs,
      durationMs: Math.max(0, atMs - flow.startMs),
    };
    if (dnat) record.endpoint = addr(e.reply.src, e.reply.sport);
    if (e.original.bytes !== undefined) record.bytesSent = e.original.bytes;
    if (e.reply.bytes !== undefined) record.bytesReceived = e.reply.bytes;
    return record;
  }

  return {
    onEvent(e) {
      if (!options.isClusterIP(e.original.dst)) return undefined;
      const key = keyOf(e);
      if (e.type === 'NEW') {
        open.set(key, { startMs: e.timeMs ?? now(), established: false });
        return undefined;
      }
      const flow = open.get(key);
      if (!flow) return undefined;
      if (e.state === 'ESTABLISHED' || e.assured) flow.established = true;
      const ends = e.type === 'DESTROY' || (e.protocol === 'tcp' && (e.state === 'TIME_WAIT' || e.state === 'CLOSE'));
      if (!ends) return undefined;
      open.delete(key);
      return finish(e, flow);
    },
    openFlows: () => open.size,
  };
}
