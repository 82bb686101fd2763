/**
 * The optional upstream resolver for names outside the cluster zone (CoreDNS `forward`),
 * off unless configured: queries go out over one UDP socket with IDs of its own (so two
 * clients' equal IDs never mix), answers come back with the client's ID restored, and a
 * query without an answer within the timeout resolves to undefined.
 */
import { randomInt } from 'node:crypto';
import { type Socket, createSocket } from 'node:dgram';

/** Forwards raw queries. */
export interface UpstreamForwarder {
  /** The upstream's answer with the query's ID, or undefined after the timeout. */
  forward(query: Buffer): Promise<Buffer | undefined>;
  close(): void;
}

/** Where and how long. */
export interface UpstreamForwarderOptions {
  host: string;
  port: number;
  timeoutMs?: number;
  /** Queries in flight at most; more are answered undefined at once. */
  maxInFlight?: number;
}

interface Pending {
  id: number;
  resolve(answer: Buffer | undefined): void;
  timer: NodeJS.Timeout;
}

/** Creates a forwarder to host:port. */
export function createUpstreamForwarder(options: UpstreamForwarderOptions): UpstreamForwarder {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const maxInFlight = options.maxInFlight ?? 4096;
  const pending = new Map<number, Pending>();
  const socket: Socket = createSocket('udp4');
  socket.on('error', () => undefined);
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12 || rinfo.address !== options.host || rinfo.port !== options.port) return;
    const p = pending.get(msg.readUInt16BE(0));
    if (!p) return;
    pending.delete(msg.readUInt16BE(0));
    clearTimeout(p.timer);
    const answer = Buffer.from(msg);
    answer.writeUInt16BE(p.id, 0);
    p.resolve(answer);
  });
  socket.unref();

  return {
    forward(query) {
      if (query.length < 12 || pending.size >= maxInFlight) return Promise.resolve(undefined);
      // Random IDs, so an off-path sender cannot guess the next one.
      let id = randomInt(65536);
      while (pending.has(id)) id = (id + 1) & 0xffff;
      const out = Buffer.from(query);
      out.writeUInt16BE(id, 0);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(undefined);
        }, timeoutMs);
        pending.set(id, { id: query.readUInt16BE(0), resolve, timer });
        socket.send(out, options.port, options.host);
      });
    },
    close() {
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.resolve(undefined);
      }
      pending.clear();
      socket.close();
    },
  };
}
