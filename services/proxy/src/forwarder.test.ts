import { eventually, settled } from '@kemu/testkit';
import { createHash, randomBytes } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { forward } from './forwarder.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0).reverse()) c();
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/**
 * client → [front | forward both ways | dial] → backend, all real loopback sockets. Resolves
 * with the client and the proxy's two sockets once the backend has accepted.
 */
async function forwardedPair(onBackend: (s: Socket) => void) {
  const backendServer = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => undefined);
    onBackend(s);
  });
  const backendPort = await listen(backendServer);
  let proxied: { front: Socket; dialed: Socket } | undefined;
  const front = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (f: Socket) => {
    f.on('error', () => undefined);
    const d = connect({ host: '127.0.0.1', port: backendPort, allowHalfOpen: true }, () => {
      forward(f, d);
      forward(d, f);
      proxied = { front: f, dialed: d };
    });
    d.on('error', () => undefined);
  });
  const frontPort = await listen(front);
  closers.push(() => {
    proxied?.front.destroy();
    proxied?.dialed.destroy();
    front.close();
    backendServer.close();
  });
  const client = connect({ host: '127.0.0.1', port: frontPort, allowHalfOpen: true });
  client.on('error', () => undefined);
  closers.push(() => client.destroy());
  await eventually(() => proxied !== undefined, { timeoutMs: 5_000, intervalMs: 5 });
  return { client, proxy: proxied as { front: Socket; dialed: Socket } };
}

function collect(s: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve) => s.once('end', () => resolve(Buffer.concat(chunks))));
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('forward', () => {
  it('passes a half-close on: the far end sees the end and can still reply', async () => {
    const { client } = await forwardedPair((s) => {
      let n = 0;
      s.on('data', (d: Buffer) => (n += d.length));
      s.on('end', () => s.end(`got ${n} bytes`));
    });
    const reply = collect(client);
    client.end(randomBytes(3 * 1024 * 1024));
    expect((await reply).toString()).toBe(`got ${3 * 1024 * 1024} bytes`);
  });

  it('stops reading from the source while the destination does not read, and loses nothing', async () => {
    let backend: Socket | undefined;
    const { client } = await forwardedPair((s) => {
      s.pause();
      backend = s;
    });
    const payload = randomBytes(64 * 1024 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < payload.length) {
        const chunk = payload.subarray(sent, sent + 256 * 1024);
        sent += chunk.length;
        if (!client.write(chunk)) return void client.once('drain', pump);
      }
      client.end();
    };
    pump();
    // Only kernel buffers and one paused read sit between the stalled reader and the client.
    const stalled = await settled(() => sent, { forMs: 300, timeoutMs: 10_000, what: 'bytes sent' });
    expect(stalled).toBeLessThan(payload.length);
    const s = backend as Socket;
    const received = collect(s);
    s.resume();
    expect(sha(await received)).toBe(sha(payload));
  });

  it('closes a socket that is done both ways at once, after the bytes queued for it', async () => {
    const payload = randomBytes(8 * 1024 * 1024);
    const { client, proxy } = await forwardedPair((s) => {
      s.resume();
      s.on('end', () => s.end(payload));
    });
    const frontClosed = new Promise((r) => proxy.front.once('close', r));
    const received = collect(client);
    client.end();
    expect(sha(await received)).toBe(sha(payload));
    await frontClosed;
    await eventually(() => proxy.dialed.destroyed, { timeoutMs: 5_000, intervalMs: 5 });
  });

  it('closes instead of half-closing when the destination has already ended', async () => {
    const { client, proxy } = await forwardedPair((s) => {
      s.resume();
      s.on('end', () => s.end('bye'));
    });
    const received = collect(client);
    client.end();
    expect((await received).toString()).toBe('bye');
    await eventually(() => proxy.front.destroyed, { timeoutMs: 5_000, intervalMs: 5 });
    // The client's side was closed outright (no shutdown first): its writable never ended.
    expect(proxy.front.writableEnded).toBe(false);
  });
});
