import { once } from 'node:events';
import { type Server, type Socket, createServer } from 'node:net';
import { createLogger } from '@kemu/log';
import { eventually } from '@kemu/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { NetnsDialError, createNetnsDialer } from './netns-dialer.js';

/** A server that speaks first (as a database does) and then echoes. */
async function greetingServer(): Promise<{ server: Server; port: number; peers: Socket[] }> {
  const peers: Socket[] = [];
  const server = createServer((c) => {
    peers.push(c);
    c.on('error', () => undefined);
    c.write('hello\n');
    c.pipe(c);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, peers };
}

/** Reads until `text` has arrived (the socket stays open). */
function readUntil(s: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (chunk: Buffer) => {
      got += String(chunk);
      if (!got.includes(text)) return;
      s.off('data', onData);
      s.pause();
      resolve(got);
    };
    s.on('data', onData);
    s.once('error', reject);
    s.resume();
  });
}

const log = createLogger({ component: 'test', level: 'silent' });

describe('createNetnsDialer', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const c of closers.splice(0)) c();
  });

  // `env` stands in for `ip netns exec <ns>`: the helper runs under the prefix either way.
  it('hands over a connected socket from the helper without losing what the server sent first', async () => {
    const { server, port, peers } = await greetingServer();
    const dialer = createNetnsDialer({ log });
    closers.push(
      () => dialer.close(),
      () => server.close(),
      () => peers.forEach((p) => p.destroy()),
    );
    const [a, b] = await Promise.all([dialer.dial('pod-a', ['env'], port), dialer.dial('pod-a', ['env'], port)]);
    for (const s of [a, b]) {
      expect(await readUntil(s, 'hello\n')).toBe('hello\n');
      s.write('ping\n');
      expect(await readUntil(s, 'ping\n')).toBe('ping\n');
      s.destroy();
    }
  });

  it('reports a refused port with its errno name', async () => {
    const { server, port } = await greetingServer();
    server.close();
    await once(server, 'close');
    const dialer = createNetnsDialer({ log });
    closers.push(() => dialer.close());
    const err = await dialer.dial('pod-b', ['env'], port).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetnsDialError);
    expect((err as NetnsDialError).code).toBe('ECONNREFUSED');
  });

  it('reports a prefix that fails with what it printed', async () => {
    const dialer = createNetnsDialer({ log });
    closers.push(() => dialer.close());
    const err = await dialer.dial('pod-c', ['sh', '-c', 'echo no such namespace >&2; exit 1'], 80).catch((e) => e);
    expect(err).toBeInstanceOf(NetnsDialError);
    expect((err as NetnsDialError).message).toBe('no such namespace');
  });

  it('starts a new helper after the idle one exited', async () => {
    const { server, port, peers } = await greetingServer();
    const dialer = createNetnsDialer({ log, idleMs: 20 });
    closers.push(
      () => dialer.close(),
      () => server.close(),
      () => peers.forEach((p) => p.destroy()),
    );
    const first = await dialer.dial('pod-d', ['env'], port);
    first.destroy();
    expect(dialer.helpers()).toBe(1);
    await eventually(() => dialer.helpers() === 0, { what: 'the idle helper to exit' });
    const second = await dialer.dial('pod-d', ['env'], port);
    expect(await readUntil(second, 'hello\n')).toBe('hello\n');
    second.destroy();
  });
});
