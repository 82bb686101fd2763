/**
 * Raw clients of a NATS server's wire protocol, for proving what a server refuses: a
 * nats library upgrades to TLS by itself when the server asks, so a plain-text client
 * and a route peer without the cluster's certificate are written by hand here.
 * A NATS server greets a client connection with a plain `INFO {json}` line before any
 * TLS handshake; on a route port with TLS the handshake comes first.
 */
import { type Socket, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** What a raw connection saw: the server's INFO and what it answered next. */
export interface RawNatsExchange {
  info: Record<string, unknown>;
  /** Everything the server sent after INFO until it closed the connection or the deadline passed. */
  reply: string;
  closed: boolean;
}

function readLine(socket: Socket, deadlineMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('no INFO line from the server')), deadlineMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(text.slice(0, end));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

async function openWithInfo(host: string, port: number): Promise<{ socket: Socket; info: Record<string, unknown> }> {
  const socket = connect({ host, port });
  const line = await readLine(socket, 5_000);
  if (!line.startsWith('INFO ')) throw new Error(`expected INFO, got ${line.slice(0, 80)}`);
  return { socket, info: JSON.parse(line.slice(5)) as Record<string, unknown> };
}

/** Connects in plain text to a client port and sends CONNECT and PING as a client that never starts TLS would. */
export async function plainTextClient(host: string, port: number): Promise<RawNatsExchange> {
  const { socket, info } = await openWithInfo(host, port);
  return await new Promise((resolve) => {
    let reply = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ info, reply, closed });
    };
    const timer = setTimeout(() => done(false), 5_000);
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
    });
    socket.once('close', () => done(true));
    socket.once('error', () => done(true));
    socket.write('CONNECT {"verbose":false,"pedantic":false,"tls_required":false,"name":"plain"}\r\nPING\r\n');
  });
}

/**
 * Opens a TLS connection to a route port as a peer server would, verifying the server
 * against `caPem` and presenting `certificate` when given; resolves with the INFO the
 * server sent over TLS (it took the peer) or the error the connection ended with.
 */
export async function routePeer(
  host: string,
  port: number,
  caPem: string,
  servername: string,
  certificate?: { cert: string; key: string },
): Promise<{ info?: Record<string, unknown>; error?: string }> {
  return await new Promise((resolve) => {
    const tls = tlsConnect({ host, port, ca: caPem, servername, ...certificate });
    let text = '';
    const end = (r: { info?: Record<string, unknown>; error?: string }) => {
      clearTimeout(timer);
      tls.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => end({ error: 'no answer within 5 s' }), 5_000);
    // With TLS 1.3 the peer's handshake ends before the server has checked the peer's
    // certificate: a refusal arrives as an alert (an error) or as the close.
    tls.on('error', (err) => end({ error: err.message }));
    tls.on('close', () => end({ error: 'closed by the server' }));
    tls.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const line = text.split('\r\n')[0] ?? '';
      if (text.includes('\r\n') && line.startsWith('INFO '))
        end({ info: JSON.parse(line.slice(5)) as Record<string, unknown> });
    });
  });
}
