/**
 * The UDP data plane of one service port: a socket on ClusterIP:port that exists only
 * while the port has endpoints (otherwise the kernel answers with ICMP port unreachable).
 * Each client address gets a flow: a connected socket to the endpoint chosen for it,
 * whose replies go back to the client from the ClusterIP socket. A flow closes after
 * `idleTimeoutMs` without traffic either way, or when its endpoint refuses. A refusal
 * (ICMP port unreachable, ECONNREFUSED on the connected socket: a dns pod that just died)
 * is the userspace proxier's failed dial for UDP: the flow picks another endpoint and
 * re-sends, once, the datagrams still unanswered (glibc sends A and AAAA together), so
 * the client does not wait out its 5 s resolver timeout. A flow whose retry is refused
 * too just closes; the client's next datagram then picks again, past its stickiness.
 */
import type { Logger } from '@kemu/log';
import { type Socket, createSocket } from 'node:dgram';
import { createListenerSwitch } from './listener-switch.js';
import type { ProxyMetrics } from './metrics.js';
import type { NextEndpoint } from './tcp-proxy.js';
import { type FlowTap, type PickContext, resultOfError } from './flow-tap.js';
import type { FlowResult } from '@kemu/flows';

/** Default idle timeout of a UDP flow. */
export const DEFAULT_UDP_IDLE_TIMEOUT_MS = 30_000;
/** Datagrams held per flow while its socket connects. */
const MAX_PENDING = 64;

/** What one UDP proxy serves. */
export interface UdpProxyOptions {
  servicePort: string;
  ip: string;
  port: number;
  nextEndpoint: NextEndpoint;
  log: Logger;
  metrics: ProxyMetrics;
  idleTimeoutMs?: number;
  /** Records each flow when set. */
  flows?: FlowTap;
}

/** A UDP listener for one service port. */
export interface UdpProxy {
  readonly servicePort: string;
  /** Opens or closes the ClusterIP socket; closing also ends every flow. */
  setListening(on: boolean): Promise<void>;
  isListening(): boolean;
  activeFlows(): number;
  close(): Promise<void>;
}

interface Flow {
  socket: Socket;
  /** `ip:port` of the endpoint this flow sends to. */
  endpoint: string;
  /** Datagrams held until the socket is connected; undefined once it is. */
  pending: Buffer[] | undefined;
  /** Datagrams sent since the endpoint last answered (at most MAX_PENDING, newest kept). */
  unanswered: Buffer[];
  /** True for a flow that already replaces a refused one: it is not retried again. */
  retried: boolean;
  timer: NodeJS.Timeout;
  /** Flow recording state (only kept up when this flow is recorded). */
  record?: {
    /** Its sampling weight (flow-sample-rate.ts). */
    weight: number;
    startedAt: number;
    pick: PickContext;
    tried: string[];
    bytesIn: number;
    bytesOut: number;
    result: FlowResult | undefined;
    /** The flow socket's own address: what the endpoint sees as the client. */
    proxyAddress?: string;
  };
}

/** How many picks a retry may take to find an endpoint other than the one that refused. */
const RETRY_PICKS = 3;

/** Creates a UDP proxy for one ClusterIP:port; it starts closed. */
export function createUdpProxy(options: UdpProxyOptions): UdpProxy {
  const { servicePort, ip, port, nextEndpoint, metrics, flows: tap } = options;
  const log = options.log.child({ servicePort, listen: `${ip}:${port}/UDP` });
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_UDP_IDLE_TIMEOUT_MS;
  const flows = new Map<string, Flow>();
  const refused = new Set<string>();
  let server: Socket | undefined;

  const listener = createListenerSwitch({
    async open() {
      const s = createSocket({ type: 'udp4' });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind({ address: ip, port, exclusive: true }, () => {
          s.off('error', reject);
          resolve();
        });
      });
      s.on('error', (err) => log.error({ err }, 'listener error'));
      s.on('message', onClientMessage);
      server = s;
    },
    close() {
      for (const key of [...flows.keys()]) closeFlow(key);
      server?.close();
      server = undefined;
    },
  });

  function onClientMessage(msg: Buffer, rinfo: { address: string; port: number }): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const reset = refused.delete(key);
      let endpoint: string;
      try {
        endpoint = nextEndpoint(rinfo.address, reset);
      } catch {
        metrics.udpDropped++;
        return;
      }
      flow = openFlow(key, rinfo.address, rinfo.port, endpoint, false, tap ? tap.follow() : 0);
    }
    if (flow.record) flow.record.bytesIn += msg.length;
    flow.timer.refresh();
    if (flow.pending) {
      if (flow.pending.length < MAX_PENDING) flow.pending.push(msg);
      else metrics.udpDropped++;
      return;
    }
    send(flow, msg);
  }

  function send(flow: Flow, msg: Buffer): void {
    flow.unanswered.push(msg);
    if (flow.unanswered.length > MAX_PENDING) flow.unanswered.shift();
    flow.socket.send(msg);
  }

  function openFlow(
    key: string,
    clientAddress: string,
    clientPort: number,
    endpoint: string,
    retried: boolean,
    weight: number,
  ): Flow {
    const i = endpoint.lastIndexOf(':');
    const socket = createSocket({ type: 'udp4' });
    const flow: Flow = {
      socket,
      endpoint,
      pending: [],
      unanswered: [],
      retried,
      timer: setTimeout(() => closeFlow(key, flow), idleTimeoutMs).unref(),
      ...(tap && weight > 0
        ? {
            record: {
              weight,
              startedAt: Date.now(),
              pick: tap.pickContext(),
              tried: [endpoint],
              bytesIn: 0,
              bytesOut: 0,
              result: undefined,
            },
          }
        : {}),
    };
    flows.set(key, flow);
    metrics.udpFlowsCreated++;
    metrics.udpFlowsActive++;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      log.debug({ err, endpoint, client: key }, 'udp flow failed');
      if (flow.record) flow.record.result = resultOfError(err);
      if (!closeFlow(key, flow)) return;
      if (err.code !== 'ECONNREFUSED') return;
      if (!retried && retry(key, clientAddress, clientPort, flow)) return;
      if (refused.size < 10_000) refused.add(key);
    });
    socket.on('message', (reply) => {
      flow.timer.refresh();
      flow.unanswered.length = 0;
      if (flow.record) {
        flow.record.bytesOut += reply.length;
        flow.record.result ??= 'ok';
      }
      server?.send(reply, clientPort, clientAddress);
    });
    socket.connect(Number(endpoint.slice(i + 1)), endpoint.slice(0, i), () => {
      if (flow.record) {
        const a = socket.address();
        flow.record.proxyAddress = `${a.address}:${a.port}`;
      }
      const queued = flow.pending ?? [];
      flow.pending = undefined;
      for (const m of queued) send(flow, m);
    });
    return flow;
  }

  /**
   * Replaces the refused flow `old` by one to another endpoint that gets the datagrams
   * `old` still held or had sent without an answer; false when there is nothing to
   * re-send or no other endpoint.
   */
  function retry(key: string, clientAddress: string, clientPort: number, old: Flow): boolean {
    const resend = [...old.unanswered, ...(old.pending ?? [])].slice(-MAX_PENDING);
    if (resend.length === 0 || !server) return false;
    let endpoint: string | undefined;
    for (let pick = 0; pick < RETRY_PICKS && endpoint === undefined; pick++) {
      try {
        const next = nextEndpoint(clientAddress, true);
        if (next !== old.endpoint) endpoint = next;
      } catch {
        break;
      }
    }
    if (endpoint === undefined) {
      metrics.udpDropped += resend.length;
      return false;
    }
    log.info(
      { client: key, refused: old.endpoint, endpoint, datagrams: resend.length },
      'udp endpoint refused, re-sent to another endpoint',
    );
    const flow = openFlow(key, clientAddress, clientPort, endpoint, true, old.record?.weight ?? 0);
    if (flow.record) {
      flow.record.tried = [old.endpoint, endpoint];
      flow.record.bytesIn = resend.reduce((n, m) => n + m.length, 0);
    }
    flow.pending?.push(...resend);
    return true;
  }

  /** Closes the flow of `key` (only if it is `which`, when given); false when there was none. */
  function closeFlow(key: string, which?: Flow): boolean {
    const flow = flows.get(key);
    if (!flow || (which && flow !== which)) return false;
    flows.delete(key);
    clearTimeout(flow.timer);
    metrics.udpFlowsActive--;
    try {
      flow.socket.close();
    } catch {
      // already closed after an error
    }
    if (tap && flow.record) recordFlow(key, flow, tap);
    return true;
  }

  function recordFlow(key: string, flow: Flow, flowTap: FlowTap): void {
    const r = flow.record;
    if (!r) return;
    const ok = r.result === 'ok';
    flowTap.record({
      kind: 'conn',
      v: 1,
      protocol: 'UDP',
      node: flowTap.node,
      mode: 'userspace',
      client: key,
      clusterIP: ip,
      port,
      service: servicePort,
      sliceVersions: [...r.pick.sliceVersions],
      programmedAtSeq: r.pick.programmedAtSeq,
      candidates: [...r.pick.candidates],
      tried: r.tried,
      reason: r.tried.length > 1 ? 'retry' : r.pick.sticky ? 'session-affinity' : 'round-robin',
      ...(ok ? { endpoint: flow.endpoint } : {}),
      ...(r.proxyAddress ? { proxyAddress: r.proxyAddress } : {}),
      result: r.result ?? 'timeout',
      bytesIn: r.bytesIn,
      bytesOut: r.bytesOut,
      startedAt: r.startedAt,
      durationMs: Date.now() - r.startedAt,
      ...(r.weight > 1 ? { weight: r.weight } : {}),
    });
  }

  return {
    servicePort,
    setListening: (on) => listener.set(on),
    isListening: () => listener.isOpen(),
    activeFlows: () => flows.size,
    async close() {
      await listener.set(false).catch(() => undefined);
    },
  };
}
