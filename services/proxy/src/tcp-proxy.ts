/**
 * The TCP data plane of one service port: a listener on ClusterIP:port that exists only
 * while the port has endpoints (without one the kernel answers a SYN with RST, i.e.
 * ECONNREFUSED, as kube-proxy's REJECT rule does). Each accepted connection dials its
 * endpoint asynchronously with the userspace proxier's escalating timeouts, moving to
 * another endpoint (and past ClientIP stickiness) after each failure, so one dead
 * endpoint never stalls the accept loop (kubernetes#12242). Bytes flow with
 * backpressure both ways (relay.ts for endpoint → client, forwarder.ts for client →
 * endpoint); a half-close is passed on, and an error or abort on either side destroys
 * both. Closing the listener leaves established connections alone. The client's address
 * (a getpeername call) is read only when ClientIP affinity, a flow record or a log line
 * needs it.
 */
import type { Logger } from '@kemu/log';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { DialFailedError } from './errors.js';
import { createRelay } from './relay.js';
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

function splitEndpoint(endpoint: string): { host: string; port: number } {
  const i = endpoint.lastIndexOf(':');
  return { host: endpoint.slice(0, i), port: Number(endpoint.slice(i + 1)) };
}

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
    // getpeername is a syscall: read the address once, and only for affinity, a flow or a log line.
    let clientIP: string | undefined;
    const clientIPOf = (): string => {
      clientIP ??= clientAddress(client);
      return clientIP;
    };
    let backend: Socket | undefined;
    // Flow state, only filled when this connection is recorded.
    const weight = options.flows ? options.flows.follow() : 0;
    const flows = weight > 0 ? options.flows : undefined;
    const startedAt = flows ? Date.now() : 0;
    // The peer address is gone once the socket closes, where the record is written.
    if (flows) clientIPOf();
    let firstPick: PickContext | undefined;
    const tried: string[] = [];
    let result: FlowResult | undefined;
    let connectMs: number | undefined;
    let connectedTo: string | undefined;
    let proxyAddress: string | undefined;
    client.on('error', (err) => {
      if (result === 'ok') result = resultOfError(err);
      backend?.destroy();
    });
    client.once('close', () => {
      connections.delete(client);
      metrics.tcpActive--;
      metrics.tcpBytesIn += client.bytesRead;
      metrics.tcpBytesOut += client.bytesWritten;
      if (backend && !(backend.writableEnded && backend.readableEnded)) backend.destroy();
      if (flows) recordFlow();
    });
    dial(0, false);

    function recordFlow(): void {
      if (!flows) return;
      const clientPort = client.remotePort ?? 0;
      flows.record({
        kind: 'conn',
        v: 1,
        protocol: 'TCP',
        node: flows.node,
        mode: 'userspace',
        client: `${clientIPOf()}:${clientPort}`,
        clusterIP: ip,
        port,
        service: servicePort,
        sliceVersions: [...(firstPick?.sliceVersions ?? [])],
        programmedAtSeq: firstPick?.programmedAtSeq ?? 0,
        candidates: [...(firstPick?.candidates ?? [])],
        tried,
        reason: tried.length > 1 ? 'retry' : firstPick?.sticky ? 'session-affinity' : 'round-robin',
        ...(connectedTo ? { endpoint: connectedTo } : {}),
        ...(proxyAddress ? { proxyAddress } : {}),
        result: result ?? 'reset',
        bytesIn: client.bytesRead,
        bytesOut: client.bytesWritten,
        startedAt,
        ...(connectMs !== undefined ? { connectMs } : {}),
        durationMs: Date.now() - startedAt,
        ...(weight > 1 ? { weight } : {}),
      });
    }

    function dial(attempt: number, sessionAffinityReset: boolean): void {
      if (client.destroyed) return;
      let endpoint: string;
      try {
        endpoint = nextEndpoint(clientIPOf, sessionAffinityReset);
      } catch (err) {
        result ??= 'no-endpoints';
        fail(err);
        return;
      }
      if (flows) {
        if (attempt === 0) firstPick = flows.pickContext();
        tried.push(endpoint);
      }
      const { host, port: endpointPort } = splitEndpoint(endpoint);
      const relay = createRelay(client);
      const b = connect({ host, port: endpointPort, allowHalfOpen: true, noDelay: true, onread: relay.onread });
      relay.bind(b);
      backend = b;
      const timer = setTimeout(
        () => b.destroy(new Error(`dial timeout after ${timeouts[attempt]} ms`)),
        timeouts[attempt],
      );
      const onDialError = (err: Error) => {
        clearTimeout(timer);
        b.destroy();
        metrics.tcpDialFailures++;
        if (flows) result = resultOfError(err);
        log.debug({ err, endpoint, attempt }, 'dial failed');
        if (attempt + 1 < timeouts.length) dial(attempt + 1, true);
        else fail(new DialFailedError(servicePort, { cause: err }));
      };
      b.once('error', onDialError);
      b.once('connect', () => {
        clearTimeout(timer);
        b.off('error', onDialError);
        if (client.destroyed) {
          b.destroy();
          return;
        }
        if (flows) {
          result = 'ok';
          connectMs = Date.now() - startedAt;
          connectedTo = endpoint;
          proxyAddress = `${b.localAddress}:${b.localPort}`;
          b.on('error', (err) => {
            if (result === 'ok') result = resultOfError(err);
          });
        }
        splice(client, b);
      });
    }

    function fail(err: unknown): void {
      metrics.tcpFailed++;
      log.warn({ err, client: clientIPOf() }, 'failed to connect to an endpoint');
      client.destroy();
    }
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

/**
 * Joins two connected sockets: client → backend through the forwarder, backend → client through
 * the backend's relay (set up at dial); backpressure both ways, half-close passed on.
 */
function splice(client: Socket, backend: Socket): void {
  backend.on('error', () => client.destroy());
  backend.once('end', () => passEnd(backend, client));
  backend.once('close', () => {
    if (!(client.writableEnded && client.readableEnded)) client.destroy();
  });
  forward(client, backend);
}
