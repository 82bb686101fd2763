/**
 * The UDP data plane of one service port: a socket on ClusterIP:port that exists only
 * while the port has endpoints (otherwise the kernel answers with ICMP port unreachable).
 * Each client address gets a flow: a connected socket to the endpoint chosen for it,
 * whose replies go back to the client from the ClusterIP socket. A flow closes after
 * `idleTimeoutMs` without traffic either way, or when its endpoint refuses; the next
 * datagram of that client then picks again (past its stickiness after a refusal).
 */
import type { Logger } from '@kemu/log';
import { type Socket, createSocket } from 'node:dgram';
import { createListenerSwitch } from './listener-switch.js';
import type { ProxyMetrics } from './metrics.js';
import type { NextEndpoint } from './tcp-proxy.js';

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
  pending: Buffer[] | undefined;
  timer: NodeJS.Timeout;
}

/** Creates a UDP proxy for one ClusterIP:port; it starts closed. */
export function createUdpProxy(options: UdpProxyOptions): UdpProxy {
  const { servicePort, ip, port, nextEndpoint, metrics } = options;
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
      flow = openFlow(key, rinfo.address, rinfo.port, endpoint);
    }
    flow.timer.refresh();
    if (flow.pending) {
      if (flow.pending.length < MAX_PENDING) flow.pending.push(msg);
      else metrics.udpDropped++;
      return;
    }
    flow.socket.send(msg);
  }

  function openFlow(key: string, clientAddress: string, clientPort: number, endpoint: string): Flow {
    const i = endpoint.lastIndexOf(':');
    const socket = createSocket({ type: 'udp4' });
    const flow: Flow = {
      socket,
      pending: [],
      timer: setTimeout(() => closeFlow(key), idleTimeoutMs).unref(),
    };
    flows.set(key, flow);
    metrics.udpFlowsCreated++;
    metrics.udpFlowsActive++;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      log.debug({ err, endpoint, client: key }, 'udp flow failed');
      if (err.code === 'ECONNREFUSED' && refused.size < 10_000) refused.add(key);
      closeFlow(key);
    });
    socket.on('message', (reply) => {
      flow.timer.refresh();
      server?.send(reply, clientPort, clientAddress);
    });
    socket.connect(Number(endpoint.slice(i + 1)), endpoint.slice(0, i), () => {
      const queued = flow.pending ?? [];
      flow.pending = undefined;
      for (const m of queued) socket.send(m);
    });
    return flow;
  }

  function closeFlow(key: string): void {
    const flow = flows.get(key);
    if (!flow) return;
    flows.delete(key);
    clearTimeout(flow.timer);
    metrics.udpFlowsActive--;
    try {
      flow.socket.close();
    } catch {
      // already closed after an error
    }
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
