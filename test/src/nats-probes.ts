/**
 * Raw clients of a NATS server's wire protocol, for proving what a server refuses: a
 * nats library upgrades to TLS by itself when the server asks, so a plain-text client
 * and a route peer without the cluster's certificate are written by hand here.
 * A NATS server greets every connection with a plain `INFO {json}` line (routes too)
 * before any TLS handshake.
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

/** Connects in plain text and sends CONNECT and PING as a client that never starts TLS would. */
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
 * Opens a route connection and starts TLS verifying the server against `caPem` but
 * presenting no certificate, as a peer without the cluster's key would; resolves with
 * the error the connection ended with, or undefined if the server let it talk.
 */
export async function routeWithoutCertificate(
  host: string,
  port: number,
  caPem: string,
  servername: string,
): Promise<{ info: Record<string, unknown>; error: string | undefined }> {
  const { socket, info } = await openWithInfo(host, port);
  const error = await new Promise<string | undefined>((resolve) => {
    const tls = tlsConnect({ socket, ca: caPem, servername });
    const timer = setTimeout(() => {
      tls.destroy();
      resolve(undefined);
    }, 5_000);
    const end = (why: string) => {
      clearTimeout(timer);
      tls.destroy();
      resolve(why);
    };
    tls.once('error', (err) => end(err.message));
    // With TLS 1.3 the client's handshake ends before the server has checked the client's
    // certificate: the refusal arrives as an alert on the first read, or as the close.
    tls.once('secureConnect', () => tls.write('PING\r\n'));
    // Anything the server says over TLS means it took the peer.
    tls.once('data', () => end(''));
    tls.once('close', () => end('closed by the server'));
  });
  return { info, error: error === '' ? undefined : error };
}
