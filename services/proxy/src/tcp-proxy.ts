/**
 * The TCP data plane of one service port: a listener on ClusterIP:port that exists only
 * while the port has endpoints (without one the kernel answers a SYN with RST, i.e.
 * ECONNREFUSED, as kube-proxy's REJECT rule does). Each accepted connection dials its
 * endpoint asynchronously with the userspace proxier's escalating timeouts, moving to
 * another endpoint (and past ClientIP stickiness) after each failure, so one dead
 * endpoint never stalls the accept loop (kubernetes#12242). Bytes flow with
 * backpressure both ways (relay.ts for endpoint → client, forwarder.ts for client →
 * endpoint); a half-close is passed on, and an error or abort on either side destroys
 * both. Closing the listener leaves established connections alone.
 *
 * A short connection costs more in per-connection setup than in bytes, so the setup is
 * lean: the handlers are created once per listener and find their connection through
 * the socket (`this`), and the client's address is read only when affinity, a flow
 * record or a log line needs it. (One shared sweep for the dial timeouts instead of a
 * timer per dial measured no difference, so each dial keeps its own timer.)
 */
import type { Logger } from '@kemu/log';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { DialFailedError } from './errors.js';
import { relayOnread, relayTo } from './relay.js';
import { forward, passEnd } from './forwarder.js';
import { type ListenerSwitch, createListenerSwitch } from './listener-switch.js';
import type { ProxyMetrics } from './metrics.js';
import { type FlowTap, type PickContext, resultOfError } from './flow-tap.js';
import type { FlowResult } from '@kemu/flows';
import type { ClientIP } from './balancer.js';

/** The userspace proxier's endpointDialTimeout. */
export const DIAL_TIMEOUTS_MS: readonly number[] = [250, 500, 1000, 2000];

/** Picks the endpoint (`ip:port`) for a client (its IP read only if needed); throws when there is none. */
export type NextEndpoint = (clientIP: ClientIP, sessionAffinityReset: boolean) => string;

/** What one TCP proxy serves. */
export interface TcpProxyOptions {
  servicePort: string;
  ip: string;
  port: number;
  nextEndpoint: NextEndpoint;
  log: Logger;
  metrics: ProxyMetrics;
  dialTimeoutsMs?: readonly number[];
  /** Records each connection when set. */
  flows?: FlowTap;
}

/** A TCP listener for one service port. */
export interface TcpProxy {
  readonly servicePort: string;
  /** Opens or closes the listener; established connections stay either way. */
  setListening(on: boolean): Promise<void>;
  isListening(): boolean;
  /** Connections being dialed or proxied. */
  activeConnections(): number;
  /** Closes the listener and destroys every connection (shutdown). */
  close(): Promise<void>;
}

/** The client address without the IPv4-mapped prefix. */
export function clientAddress(socket: Socket): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** One accepted connection, reached from its sockets' handlers. */
interface Connection {
  client: Socket;
  /** The endpoint socket: being dialed while `dialing`, else connected or gone. */
  backend: Socket | undefined;
  dialing: boolean;
  /** The current dial's timeout. */
  dialTimer: NodeJS.Timeout | undefined;
  attempt: number;
  endpoint: string;
  clientIP: string | undefined;
  /** Reads the client's address once, on demand (getpeername is a syscall). */
  clientIPOf: () => string;
  /** Present only when this connection is recorded. */
  flow: FlowState | undefined;
}

interface FlowState {
  weight: number;
  startedAt: number;
  firstPick: PickContext | undefined;
  tried: string[];
  result: FlowResult | undefined;
  connectMs: number | undefined;
  connectedTo: string | undefined;
  proxyAddress: string | undefined;
}

const kConnection = Symbol('kemu.tcpConnection');
type Tagged = Socket & { [kConnection]: Connection };
const connectionOf = (s: Socket): Connection => (s as Tagged)[kConnection];

/** Creates a TCP proxy for one ClusterIP:port; it starts closed. */
export function createTcpProxy(options: TcpProxyOptions): TcpProxy {
  const { servicePort, ip, port, nextEndpoint, metrics } = options;
  const log = options.log.child({ servicePort, listen: `${ip}:${port}/TCP` });
  const timeouts = options.dialTimeoutsMs ?? DIAL_TIMEOUTS_MS;
  const connections = new Set<Socket>();
  let server: Server | undefined;

  const listener: ListenerSwitch = createListenerSwitch({
    async open() {
      const s = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, onConnection);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen({ host: ip, port, backlog: 1024 }, () => {
          s.off('error', reject);
          resolve();
        });
      });
      s.on('error', (err) => log.error({ err }, 'listener error'));
      server = s;
      log.debug('listener opened');
    },
    close() {
      // close() releases the listening socket now; accepted sockets live on.
      server?.close();
      server = undefined;
      log.debug('listener closed');
    },
  });

  function onConnection(client: Socket): void {
    metrics.tcpAccepted++;
    metrics.tcpActive++;
    connections.add(client);
    const c: Connection = {
      client,
      backend: undefined,
      dialing: false,
      dialTimer: undefined,
      attempt: 0,
      endpoint: '',
      clientIP: undefined,
      clientIPOf: () => {
        c.clientIP ??= clientAddress(client);
        return c.clientIP;
      },
      flow: undefined,
    };
    (client as Tagged)[kConnection] = c;
    const weight = options.flows ? options.flows.follow() : 0;
    if (weight > 0) {
      // The peer address is gone once the socket closes, where the record is written.
      c.clientIPOf();
      c.flow = {
        weight,
        startedAt: Date.now(),
        firstPick: undefined,
        tried: [],
        result: undefined,
        connectMs: undefined,
        connectedTo: undefined,
        proxyAddress: undefined,
      };
    }
    client.on('error', onClientError);
    client.on('close', onClientClose);
    dial(c, false);
  }

  function onClientError(this: Socket, err: Error): void {
    const c = connectionOf(this);
    if (c.flow?.result === 'ok') c.flow.result = resultOfError(err);
    c.backend?.destroy();
  }

  function onClientClose(this: Socket): void {
    const c = connectionOf(this);
    const { client, backend } = c;
    connections.delete(client);
    metrics.tcpActive--;
    metrics.tcpBytesIn += client.bytesRead;
    metrics.tcpBytesOut += client.bytesWritten;
    if (c.dialing) {
      c.dialing = false;
      clearTimeout(c.dialTimer);
    }
    if (backend && !(backend.writableEnded && backend.readableEnded)) backend.destroy();
    if (c.flow) recordFlow(c, c.flow);
  }

  function dial(c: Connection, sessionAffinityReset: boolean): void {
    if (c.client.destroyed) return;
    let endpoint: string;
    try {
      endpoint = nextEndpoint(c.clientIPOf, sessionAffinityReset);
    } catch (err) {
      if (c.flow) c.flow.result ??= 'no-endpoints';
      fail(c, err);
      return;
    }
    if (c.flow) {
      if (c.attempt === 0) c.flow.firstPick = options.flows?.pickContext();
      c.flow.tried.push(endpoint);
    }
    c.endpoint = endpoint;
    const i = endpoint.lastIndexOf(':');
    const b = connect({
      host: endpoint.slice(0, i),
      port: Number(endpoint.slice(i + 1)),
      allowHalfOpen: true,
      noDelay: true,
      onread: relayOnread,
    });
    relayTo(b, c.client);
    (b as Tagged)[kConnection] = c;
    c.backend = b;
    c.dialing = true;
    b.on('error', onBackendError);
    b.on('connect', onBackendConnect);
    const ms = timeouts[c.attempt] as number;
    c.dialTimer = setTimeout(() => dialFailed(c, new Error(`dial timeout after ${ms} ms`)), ms);
  }

  function dialFailed(c: Connection, err: Error): void {
    c.dialing = false;
    clearTimeout(c.dialTimer);
    c.backend?.destroy();
    metrics.tcpDialFailures++;
    if (c.flow) c.flow.result = resultOfError(err);
    log.debug({ err, endpoint: c.endpoint, attempt: c.attempt }, 'dial failed');
    if (c.attempt + 1 < timeouts.length) {
      c.attempt++;
      dial(c, true);
    } else fail(c, new DialFailedError(servicePort, { cause: err }));
  }

  function onBackendError(this: Socket, err: Error): void {
    const c = connectionOf(this);
    // A dial given up on (timed out) may still report; only the current socket counts.
    if (this !== c.backend) return;
    if (c.dialing) return dialFailed(c, err);
    if (c.flow?.result === 'ok') c.flow.result = resultOfError(err);
    c.client.destroy();
  }

  function onBackendConnect(this: Socket): void {
    const c = connectionOf(this);
    c.dialing = false;
    clearTimeout(c.dialTimer);
    if (c.client.destroyed) {
      this.destroy();
      return;
    }
    if (c.flow) {
      c.flow.result = 'ok';
      c.flow.connectMs = Date.now() - c.flow.startedAt;
      c.flow.connectedTo = c.endpoint;
      c.flow.proxyAddress = `${this.localAddress}:${this.localPort}`;
    }
    this.on('end', onBackendEnd);
    this.on('close', onBackendClose);
    forward(c.client, this);
  }

  function onBackendEnd(this: Socket): void {
    passEnd(this, connectionOf(this).client);
  }

  function onBackendClose(this: Socket): void {
    const { client } = connectionOf(this);
    if (!(client.writableEnded && client.readableEnded)) client.destroy();
  }

  function fail(c: Connection, err: unknown): void {
    metrics.tcpFailed++;
    log.warn({ err, client: c.clientIPOf() }, 'failed to connect to an endpoint');
    c.client.destroy();
  }

  function recordFlow(c: Connection, f: FlowState): void {
    const flows = options.flows;
    if (!flows) return;
    const { client } = c;
    flows.record({
      kind: 'conn',
      v: 1,
      protocol: 'TCP',
      node: flows.node,
      mode: 'userspace',
      client: `${c.clientIP}:${client.remotePort ?? 0}`,
      clusterIP: ip,
      port,
      service: servicePort,
      sliceVersions: [...(f.firstPick?.sliceVersions ?? [])],
      programmedAtSeq: f.firstPick?.programmedAtSeq ?? 0,
      candidates: [...(f.firstPick?.candidates ?? [])],
      tried: f.tried,
      reason: f.tried.length > 1 ? 'retry' : f.firstPick?.sticky ? 'session-affinity' : 'round-robin',
      ...(f.connectedTo ? { endpoint: f.connectedTo } : {}),
      ...(f.proxyAddress ? { proxyAddress: f.proxyAddress } : {}),
      result: f.result ?? 'reset',
      bytesIn: client.bytesRead,
      bytesOut: client.bytesWritten,
      startedAt: f.startedAt,
      ...(f.connectMs !== undefined ? { connectMs: f.connectMs } : {}),
      durationMs: Date.now() - f.startedAt,
      ...(f.weight > 1 ? { weight: f.weight } : {}),
    });
  }

  return {
    servicePort,
    setListening: (on) => listener.set(on),
    isListening: () => listener.isOpen(),
    activeConnections: () => connections.size,
    async close() {
      await listener.set(false).catch(() => undefined);
      for (const c of connections) c.destroy();
    },
  };
}
