/**
 * Turns a node netns's conntrack events into the flow records the userspace proxy
 * writes (packages/flows), for the nftables mode where no userspace process sees a
 * connection. Pure: the caller feeds events and gets finished flows back.
 *
 * A flow to a programmed ClusterIP port starts at its NEW event; the pick context
 * (candidates, EndpointSlice versions, log sequence) is the one the rules held then. The
 * endpoint is the reply direction's source, the DNAT target the kernel picked. A TCP
 * flow ends at its first TIME_WAIT or CLOSE state or at its DESTROY, a UDP flow at its
 * DESTROY (conntrack's idle timeout, as the userspace proxy's UDP flows end at theirs).
 * Only DESTROY carries byte counters: a TCP flow that ended earlier comes back with
 * `countersKnown: false` and the caller reads its counters from a listing.
 * Result: ok once the endpoint answered (ESTABLISHED or ASSURED; UDP: a reply seen);
 * reset for an established TCP flow that ended in CLOSE (an RST); refused for a SYN
 * answered by an RST (CLOSE, still UNREPLIED); timeout for a flow that never got a reply; no-endpoints when
 * nothing DNATed it and the Service had no endpoints. The kernel rejects a Service
 * without endpoints in a filter hook before conntrack confirms the entry, so such
 * connections make no event and no record.
 * Bounded: above half of `maxOpen` tracked flows only every OVERLOAD_SAMPLE_EVERY-th new
 * flow is followed (its record carries that weight); at `maxOpen` the oldest is dropped.
 * A flow the kernel sampled (conntrack-event-mask.ts) carries its mark's weight as well.
 */
import { type ConnectionFlow, type FlowResult, OVERLOAD_SAMPLE_EVERY } from '@kemu/flows';
import { weightOfMark } from './conntrack-event-mask.js';
import type { ConntrackEvent } from './conntrack-events.js';
import type { ProgrammedPort } from './nftables-proxier.js';

/** A flow that ended, with whether its byte counters are in the record yet. */
export interface FinishedFlow {
  /** The conntrack entry id (absent when conntrack printed none). */
  id?: number;
  flow: ConnectionFlow;
  countersKnown: boolean;
}

/** Counters of a table. */
export interface ConntrackFlowTableStats {
  open: number;
  /** New flows not followed because the table was over half full. */
  sampledOut: number;
  /** Open flows forgotten because the table was full. */
  evicted: number;
}

/** The event-to-record state machine. */
export interface ConntrackFlowTable {
  /** Feeds one event; returns the flow it finished, if any. */
  onEvent(event: ConntrackEvent): FinishedFlow | undefined;
  stats(): ConntrackFlowTableStats;
}

/** What a table needs. */
export interface ConntrackFlowTableOptions {
  node: string;
  /** The committed rules of a ClusterIP port (the nftables proxier's `programmedPort`). */
  lookup(clusterIP: string, port: number, protocol: string): ProgrammedPort | undefined;
  /** Flows followed at most; default 50 000. */
  maxOpen?: number;
  now?: () => number;
}

interface OpenFlow {
  startedAt: number;
  context: ProgrammedPort;
  answered: boolean;
  connectMs?: number;
  weight?: number;
}

const keyOf = (e: ConntrackEvent) =>
  e.id !== undefined
    ? String(e.id)
    : `${e.protocol} ${e.original.src}:${e.original.sport} ${e.original.dst}:${e.original.dport}`;
const addr = (ip: string, port: number | undefined) => `${ip}:${port ?? 0}`;

/** The result of a flow at its end event. */
export function flowResult(e: ConntrackEvent, answered: boolean, dnat: boolean, hasEndpoints: boolean): FlowResult {
  if (!dnat) return hasEndpoints ? 'refused' : 'no-endpoints';
  if (e.protocol !== 'tcp') return answered || !e.unreplied ? 'ok' : 'timeout';
  if (answered) return e.state === 'CLOSE' ? 'reset' : 'ok';
  // An RST answering the SYN moves the entry to CLOSE and leaves it UNREPLIED; a SYN nobody answered expires in SYN_SENT.
  return e.state === 'CLOSE' || (e.reply.packets ?? 0) > 0 ? 'refused' : 'timeout';
}

/** Creates a table following no flow. */
export function createConntrackFlowTable(options: ConntrackFlowTableOptions): ConntrackFlowTable {
  const now = options.now ?? Date.now;
  const maxOpen = options.maxOpen ?? 50_000;
  const open = new Map<string, OpenFlow>();
  const counts = { sampledOut: 0, evicted: 0 };
  let skip = 0;

  function start(e: ConntrackEvent): void {
    const protocol = e.protocol.toUpperCase();
    if ((protocol !== 'TCP' && protocol !== 'UDP') || e.original.dport === undefined) return;
    const context = options.lookup(e.original.dst, e.original.dport, protocol);
    if (!context) return;
    // The kernel followed this flow one in `weight` (the event mask's sampling).
    let weight = weightOfMark(e.mark);
    if (open.size >= maxOpen / 2) {
      skip = (skip + 1) % OVERLOAD_SAMPLE_EVERY;
      if (skip !== 0) {
        counts.sampledOut++;
        return;
      }
      weight *= OVERLOAD_SAMPLE_EVERY;
    }
    if (open.size >= maxOpen) {
      const oldest = open.keys().next().value;
      if (oldest !== undefined) open.delete(oldest);
      counts.evicted++;
    }
    const flow: OpenFlow = { startedAt: e.timeMs ?? now(), context, answered: false };
    if (weight > 1) flow.weight = weight;
    open.set(keyOf(e), flow);
  }

  function finish(e: ConntrackEvent, f: OpenFlow): FinishedFlow {
    const dnat = e.reply.src !== e.original.dst;
    const endedAt = e.timeMs ?? now();
    const endpoint = dnat ? addr(e.reply.src, e.reply.sport) : undefined;
    const countersKnown = e.original.bytes !== undefined && e.reply.bytes !== undefined;
    const flow: ConnectionFlow = {
      kind: 'conn',
      v: 1,
      protocol: e.protocol === 'udp' ? 'UDP' : 'TCP',
      node: options.node,
      mode: 'nftables',
      source: 'conntrack',
      client: addr(e.original.src, e.original.sport),
      clusterIP: e.original.dst,
      port: e.original.dport ?? 0,
      service: f.context.servicePort,
      sliceVersions: [...f.context.sliceVersions],
      programmedAtSeq: f.context.programmedAtSeq,
      candidates: [...f.context.endpoints],
      tried: endpoint ? [endpoint] : [],
      reason: f.context.sessionAffinity ? 'session-affinity' : 'random',
      ...(endpoint ? { endpoint, proxyAddress: addr(e.reply.dst, e.reply.dport) } : {}),
      result: flowResult(e, f.answered, dnat, f.context.endpoints.length > 0),
      bytesIn: e.original.bytes ?? 0,
      bytesOut: e.reply.bytes ?? 0,
      startedAt: f.startedAt,
      ...(f.weight ? { weight: f.weight } : {}),
      ...(f.connectMs !== undefined ? { connectMs: f.connectMs } : {}),
      durationMs: Math.max(0, endedAt - f.startedAt),
    };
    return { ...(e.id !== undefined ? { id: e.id } : {}), flow, countersKnown };
  }

  return {
    onEvent(e) {
      if (e.type === 'NEW') {
        start(e);
        return undefined;
      }
      const key = keyOf(e);
      const f = open.get(key);
      if (!f) return undefined;
      const answered =
        e.protocol === 'tcp' ? e.assured || e.state === 'ESTABLISHED' || e.state === 'SYN_RECV' : !e.unreplied;
      if (answered && !f.answered) {
        f.answered = true;
        f.connectMs = Math.max(0, (e.timeMs ?? now()) - f.startedAt);
      }
      const ends = e.type === 'DESTROY' || (e.protocol === 'tcp' && (e.state === 'TIME_WAIT' || e.state === 'CLOSE'));
      if (!ends) return undefined;
      open.delete(key);
      return finish(e, f);
    },
    stats: () => ({ open: open.size, ...counts }),
  };
}
