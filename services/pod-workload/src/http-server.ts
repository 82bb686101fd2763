/**
 * The default "image": an HTTP server on every container port that answers any path
 * with who it is and who asked, plus /health and /ready for probes and /control to flip
 * them. Connections are kept alive, so a proxy in front can reuse them.
 *
 * Shutdown is graceful the way nginx's is: listeners close, in-flight responses finish,
 * and each connection is ended with a FIN once idle; `close` resolves when the clients
 * have closed their side too. (Destroying idle sockets and exiting at once would leave
 * the tail of a finished response in the kernel's send buffer, lost when the node-agent
 * removes the pod's network right after the process exits.)
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo, Server as NetServer, type Socket } from 'node:net';
import type { WorkloadConfig } from './config.js';
import type { Control } from './control.js';
import { bulkSize, sendBulk } from './bulk-body.js';

/** Writes one structured log line. */
export type LogLine = (fields: Record<string, unknown>) => void;

/** The running servers. */
export interface HttpWorkload {
  /** Ports actually bound (in config order). */
  readonly ports: number[];
  /** Stops accepting, lets in-flight requests finish, ends every connection once idle, and waits for the clients to close. */
  close(): Promise<void>;
}

/** What every other path answers with. */
export interface WhoAmI {
  pod: string;
  namespace: string;
  node: string;
  podIP: string;
  client: string;
  path: string;
  method: string;
  host: string;
  time: string;
}

function plainAddress(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The open connections of the servers, with how many requests each has in flight. */
interface Connections {
  busy: Map<Socket, number>;
  closing: boolean;
}

function handler(config: WorkloadConfig, control: Control, log: LogLine, conns: Connections) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    conns.busy.set(socket, (conns.busy.get(socket) ?? 0) + 1);
    res.on('close', () => {
      const left = (conns.busy.get(socket) ?? 1) - 1;
      conns.busy.set(socket, left);
      if (conns.closing && left === 0) socket.end();
    });
    if (conns.closing) res.setHeader('connection', 'close');
    const t0 = performance.now();
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const client = `${plainAddress(req.socket.remoteAddress)}:${req.socket.remotePort ?? 0}`;
    res.on('finish', () => {
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      log({ msg: 'request', method, path, status: res.statusCode, client, port: req.socket.localPort, ms });
    });
    req.resume();
    const url = new URL(path, 'http://workload');
    if (url.pathname === '/health' || url.pathname === '/ready') {
      const ok = url.pathname === '/health' ? control.isHealthy() : control.isReady();
      send(res, ok ? 200 : 503, ok ? 'ok' : 'not ok');
      return;
    }
    if (method === 'POST' && (url.pathname === '/control/ready' || url.pathname === '/control/health')) {
      const value = url.searchParams.get('value') !== 'false';
      if (url.pathname === '/control/ready') control.setReady(value);
      else control.setHealthy(value);
      const body = { ready: control.isReady(), healthy: control.isHealthy() };
      send(res, 200, `${JSON.stringify(body)}\n`, 'application/json');
      return;
    }
    const bulk = bulkSize(url.pathname);
    if (bulk !== undefined) {
      sendBulk(res, bulk);
      return;
    }
    const who: WhoAmI = {
      pod: config.pod,
      namespace: config.namespace,
      node: config.node,
      podIP: config.podIP,
      client,
      path,
      method,
      host: req.headers.host ?? '',
      time: new Date().toISOString(),
    };
    send(res, 200, `${JSON.stringify(who)}\n`, 'application/json');
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts one HTTP server per configured port. */
export async function startHttpWorkload(config: WorkloadConfig, control: Control, log: LogLine): Promise<HttpWorkload> {
  const servers: Server[] = [];
  const ports: number[] = [];
  const conns: Connections = { busy: new Map(), closing: false };
  const handle = handler(config, control, log, conns);
  try {
    for (const port of config.ports) {
      const server = createServer({ keepAlive: true }, handle);
      server.on('connection', (socket: Socket) => {
        conns.busy.set(socket, 0);
        socket.on('close', () => conns.busy.delete(socket));
      });
      server.keepAliveTimeout = 65_000;
      servers.push(server);
      ports.push(await listen(server, port, config.host));
    }
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }
  return {
    ports,
    async close() {
      conns.closing = true;
      // net.Server's close stops listening without http.Server's destroying of idle sockets.
      const closed = servers.map(
        (s) => new Promise<void>((resolve) => NetServer.prototype.close.call(s, () => resolve())),
      );
      for (const [socket, inFlight] of conns.busy) if (inFlight === 0) socket.end();
      await Promise.all(closed);
    },
  };
}
