/**
 * DNS over TCP (RFC 7766): two-octet length-prefixed messages, several per connection
 * and pipelined, answered in order. Bounded: a connection idle for `idleTimeoutMs` is
 * closed, at most `maxConnections` are open, a client that does not read its answers is
 * paused (backpressure), and a connection holds at most one partial message (64 KiB).
 */
import { type Server, type Socket, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { QueryResult } from './query-handler.js';
import { type DnsListener, type DnsListenerOptions, forwardQuery } from './udp-server.js';

/** TCP limits. */
export interface TcpServerOptions extends DnsListenerOptions {
  idleTimeoutMs?: number;
  maxConnections?: number;
}

function frame(response: Buffer): Buffer {
  const out = Buffer.allocUnsafe(response.length + 2);
  out.writeUInt16BE(response.length, 0);
  response.copy(out, 2);
  return out;
}

/** Binds host:port/tcp and serves queries until closed. */
export async function startTcpServer(options: TcpServerOptions): Promise<DnsListener> {
  const { handler, log, onQuery, upstream } = options;
  const connections = new Set<Socket>();

  function serve(socket: Socket): void {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', (err) => log.debug({ err }, 'tcp connection error'));
    socket.setTimeout(options.idleTimeoutMs ?? 10_000, () => socket.destroy());
    socket.setNoDelay(true);
    const client = `${socket.remoteAddress}:${socket.remotePort}`;
    let buffered: Buffer = Buffer.alloc(0);
    // Forwarded answers can come back out of order; this chain keeps responses in query order.
    let chain: Promise<void> = Promise.resolve();

    const send = (r: QueryResult, started: number) => {
      if (socket.destroyed) return;
      if (!socket.write(frame(r.response))) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
      onQuery?.({
        name: r.name,
        type: r.type,
        rcode: r.rcode,
        ms: performance.now() - started,
        client,
        proto: 'tcp',
        ...(r.answers ? { answers: r.answers } : {}),
      });
    };

    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length < len + 2) break;
        const query = Buffer.from(buffered.subarray(2, len + 2));
        buffered = buffered.subarray(len + 2);
        const started = performance.now();
        const result = handler.handle(query, 'tcp');
        if (!result) continue;
        if (result.forward && upstream) {
          chain = chain.then(() => forwardQuery(upstream, query, result).then((r) => send(r, started)));
        } else {
          chain = chain.then(() => send(result, started));
        }
      }
    });
  }

  const server: Server = createServer(serve);
  server.maxConnections = options.maxConnections ?? 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'tcp server error'));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of connections) s.destroy();
        server.close(() => resolve());
      }),
  };
}
