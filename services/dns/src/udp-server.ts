/**
 * DNS over UDP: one socket, one datagram in, at most one out. Queries the handler marks
 * for forwarding go to the upstream (when there is one) and its answer is relayed.
 * Every answered query is reported to `onQuery` (the query log and metrics).
 */
import type { Logger } from '@kemu/log';
import { type Socket, createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { QueryHandler, QueryResult, Transport } from './query-handler.js';
import type { UpstreamForwarder } from './upstream-forwarder.js';

/** One answered query, as the query log records it. */
export interface QueryEvent {
  name: string;
  type: string;
  rcode: string;
  /** Handling time in milliseconds. */
  ms: number;
  client: string;
  proto: Transport;
  /** The answer section's data (for flow records). */
  answers?: string[];
}

/** What a DNS listener needs. */
export interface DnsListenerOptions {
  host: string;
  port: number;
  handler: QueryHandler;
  log: Logger;
  onQuery?(event: QueryEvent): void;
  upstream?: UpstreamForwarder;
}

/** A listening DNS server socket. */
export interface DnsListener {
  readonly port: number;
  close(): Promise<void>;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** dgram's lookup for literal IPv4 addresses only, answering at once. */
function literalLookup(address: string, _options: unknown, callback: LookupCallback): void {
  callback(null, address, 4);
}

/** Relays a forwarded query's upstream answer (SERVFAIL when it never comes). */
export async function forwardQuery(
  upstream: UpstreamForwarder,
  query: Buffer,
  fallback: QueryResult,
): Promise<QueryResult> {
  const answer = await upstream.forward(query);
  if (!answer) {
    const servfail = Buffer.from(fallback.response);
    servfail[3] = ((servfail[3] as number) & 0xf0) | 2;
    return { ...fallback, response: servfail, rcode: 'SERVFAIL' };
  }
  return { ...fallback, response: answer, rcode: 'FORWARDED', answers: [] };
}

/** Binds host:port/udp and serves queries until closed. */
export async function startUdpServer(options: DnsListenerOptions): Promise<DnsListener> {
  const { handler, log, onQuery, upstream } = options;
  // Replies go to the literal address a query came from: no resolver round (and tick) per send.
  const socket: Socket = createSocket({
    type: 'udp4',
    recvBufferSize: 4 << 20,
    sendBufferSize: 4 << 20,
    lookup: literalLookup,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: options.host, port: options.port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (err) => log.error({ err }, 'udp socket error'));
  socket.on('message', (msg, rinfo) => {
    const started = performance.now();
    const result = handler.handle(msg, 'udp');
    if (!result) return;
    const report = (r: QueryResult) =>
      onQuery?.({
        name: r.name,
        type: r.type,
        rcode: r.rcode,
        ms: performance.now() - started,
        client: `${rinfo.address}:${rinfo.port}`,
        proto: 'udp',
        ...(r.answers ? { answers: r.answers } : {}),
      });
    if (result.forward && upstream) {
      void forwardQuery(upstream, msg, result).then((r) => {
        socket.send(r.response, rinfo.port, rinfo.address);
        report(r);
      });
      return;
    }
    socket.send(result.response, rinfo.port, rinfo.address);
    report(result);
  });
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
