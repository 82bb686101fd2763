import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedLookup } from './probe-worker.js';

/** A real UDP DNS server on 127.0.0.1 answering every A query with `address()` and `ttl`. */
async function dnsServer(
  address: () => string,
  ttl: number,
): Promise<{ socket: Socket; port: number; queries: number }> {
  const socket = createSocket('udp4');
  const state = { socket, port: 0, queries: 0 };
  socket.on('message', (q, from) => {
    state.queries++;
    let end = 12;
    while ((q[end] as number) !== 0) end += (q[end] as number) + 1;
    const question = q.subarray(12, end + 5);
    const header = Buffer.from([q[0] as number, q[1] as number, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
    const answer = Buffer.alloc(16);
    answer.writeUInt16BE(0xc00c, 0);
    answer.writeUInt16BE(1, 2);
    answer.writeUInt16BE(1, 4);
    answer.writeUInt32BE(ttl, 6);
    answer.writeUInt16BE(4, 10);
    address()
      .split('.')
      .forEach((b, i) => answer.writeUInt8(Number(b), 12 + i));
    socket.send(Buffer.concat([header, question, answer]), from.port, from.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  state.port = socket.address().port;
  return state;
}

describe('cachedLookup', () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  it('asks the server once per TTL, shares a lookup in flight, and fails with the resolver code', async () => {
    let n = 0;
    const server = await dnsServer(() => `10.96.0.${++n}`, 5);
    sockets.push(server.socket);
    let now = 0;
    const lookup = cachedLookup(`127.0.0.1:${server.port}`, 'web.default.svc.cluster.local', () => now);
    const first = await Promise.all([lookup(), lookup(), lookup()]);
    expect(first).toEqual(['10.96.0.1', '10.96.0.1', '10.96.0.1']);
    expect(server.queries).toBe(1);
    now = 4_999;
    expect(await lookup()).toBe('10.96.0.1');
    expect(server.queries).toBe(1);
    now = 5_000;
    expect(await lookup()).toBe('10.96.0.2');
    expect(server.queries).toBe(2);
    // The server gone: once the TTL has run out the lookup fails, as the probe's requests then do.
    server.socket.close();
    sockets.length = 0;
    now = 10_000;
    const err = (await lookup().catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(err).toBeInstanceOf(Error);
    expect(['ECONNREFUSED', 'ETIMEOUT']).toContain(err.code);
  });
});
