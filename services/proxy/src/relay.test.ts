import { settled } from '@kemu/testkit';
import { createHash } from 'node:crypto';
import { type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRelay } from './relay.js';

/** A relay from a backend server (which sends `total` bytes) to a client socket pair on loopback. */
async function relayPair(total: number) {
  const payload = Buffer.alloc(total);
  for (let i = 0; i < total; i += 4096) payload.writeUInt32BE(i, i);
  let sent = 0;
  const backendServer = createServer((s) => {
    s.on('error', () => undefined);
    const pump = () => {
      while (sent < total) {
        const chunk = payload.subarray(sent, Math.min(total, sent + 256 * 1024));
        sent += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  await new Promise<void>((r) => backendServer.listen(0, '127.0.0.1', r));
  const front = createServer({ allowHalfOpen: true }, (client: Socket) => {
    client.on('error', () => undefined);
    const relay = createRelay(client);
    const b = connect({ port: (backendServer.address() as AddressInfo).port, host: '127.0.0.1', onread: relay.onread });
    relay.bind(b);
    b.on('error', () => client.destroy());
    b.once('end', () => client.end());
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  const reader = connect({ port: (front.address() as AddressInfo).port, host: '127.0.0.1' });
  reader.on('error', () => undefined);
  return {
    payload,
    reader,
    sent: () => sent,
    close() {
      reader.destroy();
      front.close();
      backendServer.close();
    },
  };
}

describe('relay', () => {
  it('delivers every byte in order', async () => {
    const p = await relayPair(32 * 1024 * 1024);
    const hash = createHash('sha256');
    for await (const chunk of p.reader) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(p.payload).digest('hex'));
    p.close();
  });

  it('stops reading from the endpoint while the client does not read', async () => {
    const p = await relayPair(256 * 1024 * 1024);
    p.reader.pause();
    const stalled = await settled(() => p.sent(), { forMs: 300, timeoutMs: 5_000, what: 'bytes sent' });
    expect(stalled).toBeLessThan(64 * 1024 * 1024);
    p.close();
  });
});
