import { createLogger } from '@kemu/log';
import { eventually, freePort } from '@kemu/testkit';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { type Server as HttpServer, createServer as createHttpServer, get } from 'node:http';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoundRobinBalancer } from './balancer.js';
import { createProxyMetrics } from './metrics.js';
import { type TcpProxy, createTcpProxy } from './tcp-proxy.js';

const log = createLogger({ component: 'test', level: 'silent' });
const spn = 'default/web:http';
const VIP = '127.0.0.10';

function httpBackend(host: string, port: number, name: string): Promise<HttpServer> {
  const s = createHttpServer((req, res) => res.end(`${name} ${req.socket.remoteAddress}`));
  return new Promise((resolve) => s.listen(port, host, () => resolve(s)));
}

function tcpBackend(host: string, port: number, onSocket: (s: Socket) => void): Promise<Server> {
  const s = createServer({ allowHalfOpen: true }, onSocket);
  return new Promise((resolve) => s.listen(port, host, () => resolve(s)));
}

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

function connectError(host: string, port: number): Promise<{ code: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.on('connect', () => {
      s.destroy();
      resolve({ code: 'CONNECTED', ms: Date.now() - t0 });
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve({ code: err.code ?? String(err), ms: Date.now() - t0 }));
  });
}

const close = (s: { close(cb: () => void): void }) => new Promise<void>((r) => s.close(() => r()));

describe('createTcpProxy', () => {
  let port: number;
  let proxy: TcpProxy;
  const closers: (() => Promise<void> | void)[] = [];
  const balancer = createRoundRobinBalancer({ random: () => 0.5 });
  const metrics = createProxyMetrics();

  async function startProxy(
    endpoints: string[],
    dialTimeoutsMs?: number[],
    affinity: 'None' | 'ClientIP' = 'None',
  ): Promise<void> {
    balancer.setService(spn, { type: affinity });
    balancer.onEndpointsUpdate(spn, endpoints);
    proxy = createTcpProxy({
      servicePort: spn,
      ip: VIP,
      port,
      log,
      metrics,
      nextEndpoint: (ip, reset) => balancer.nextEndpoint(spn, ip, reset),
      ...(dialTimeoutsMs ? { dialTimeoutsMs } : {}),
    });
    closers.push(() => proxy.close());
    await proxy.setListening(endpoints.length > 0);
  }

  beforeEach(async () => {
    port = await freePort(VIP);
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  /** HTTP backends `a` on 127.0.0.2 and `b` on 127.0.0.3, closed after the test. */
  async function twoBackends(): Promise<void> {
    for (const [ip, name] of [
      ['127.0.0.2', 'a'],
      ['127.0.0.3', 'b'],
    ] as const) {
      const s = await httpBackend(ip, port, name);
      closers.push(() => close(s));
    }
  }

  it('alternates requests between the endpoints', async () => {
    await twoBackends();
    await startProxy([`127.0.0.2:${port}`, `127.0.0.3:${port}`]);
    const names: string[] = [];
    for (let i = 0; i < 6; i++) names.push((await httpGet(VIP, port)).split(' ')[0] as string);
    expect(new Set(names).size).toBe(2);
    for (let i = 2; i < 6; i++) expect(names[i]).toBe(names[i - 2]);
    expect(names[0]).not.toBe(names[1]);
  });

  it('keeps a client on one endpoint with ClientIP affinity', async () => {
    await twoBackends();
    await startProxy([`127.0.0.2:${port}`, `127.0.0.3:${port}`], undefined, 'ClientIP');
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) names.add((await httpGet(VIP, port)).split(' ')[0] as string);
    expect(names.size).toBe(1);
    expect(balancer.stickySessions(spn)).toBe(1);
  });

  it('skips a dead endpoint without failing the client', async () => {
    const s = await httpBackend('127.0.0.3', port, 'b');
    closers.push(() => close(s));
    // Nothing listens on 127.0.0.4: every dial there is refused.
    await startProxy([`127.0.0.4:${port}`, `127.0.0.3:${port}`]);
    const before = metrics.tcpDialFailures;
    for (let i = 0; i < 6; i++) expect(await httpGet(VIP, port)).toMatch(/^b /);
    // Each connection whose pick lands on the dead endpoint costs one failed dial.
    expect(metrics.tcpDialFailures - before).toBeGreaterThan(0);
  });

  it('moves on from a blackholed endpoint after the dial timeout without stalling other connections', async () => {
    const hole = await blackhole('127.0.0.5');
    closers.push(() => hole.stop());
    const s = await httpBackend('127.0.0.3', port, 'b');
    closers.push(() => close(s));
    await startProxy([`127.0.0.5:${hole.port}`, `127.0.0.3:${port}`], [300, 300, 300, 300]);
    const t0 = Date.now();
    const results = await Promise.all(
      [0, 1, 2, 3].map(async () => [await httpGet(VIP, port), Date.now() - t0] as const),
    );
    for (const [body] of results) expect(body).toMatch(/^b /);
    const times = results.map(([, ms]) => ms).sort((x, y) => x - y);
    // Half the connections went straight to b; the others waited one 300 ms dial timeout.
    expect(times[0]).toBeLessThan(250);
    expect(times[1]).toBeLessThan(250);
    expect(times[3]).toBeGreaterThanOrEqual(280);
    expect(times[3]).toBeLessThan(1500);
  });

  it('refuses at once without endpoints and keeps established connections when the listener closes', async () => {
    const echo = await tcpBackend('127.0.0.2', port, (s) => s.pipe(s));
    closers.push(() => close(echo));
    await startProxy([]);
    expect(await connectError(VIP, port)).toMatchObject({ code: 'ECONNREFUSED' });
    expect((await connectError(VIP, port)).ms).toBeLessThan(100);

    balancer.onEndpointsUpdate(spn, [`127.0.0.2:${port}`]);
    await proxy.setListening(true);
    const client = connect({ host: VIP, port });
    closers.push(() => void client.destroy());
    const received: string[] = [];
    client.setEncoding('utf8').on('data', (d: string) => received.push(d));
    await new Promise((r) => client.once('connect', r));
    client.write('one');
    await eventually(() => received.join('') === 'one', { timeoutMs: 5_000, intervalMs: 10 });

    balancer.onEndpointsUpdate(spn, []);
    await proxy.setListening(false);
    expect(await connectError(VIP, port)).toMatchObject({ code: 'ECONNREFUSED' });
    client.write('two');
    await eventually(() => received.join('') === 'onetwo', { timeoutMs: 5_000, intervalMs: 10 });
    expect(proxy.activeConnections()).toBe(1);
  });

  it('passes a half-close on: the backend sees the end and can still reply', async () => {
    const backend = await tcpBackend('127.0.0.2', port, (s) => {
      let n = 0;
      s.on('data', (d: Buffer) => (n += d.length));
      s.on('end', () => s.end(`got ${n} bytes`));
    });
    closers.push(() => close(backend));
    await startProxy([`127.0.0.2:${port}`]);
    const reply = await new Promise<string>((resolve, reject) => {
      const c = connect({ host: VIP, port, allowHalfOpen: true }, () => c.end('hello world'));
      let body = '';
      c.setEncoding('utf8').on('data', (d: string) => (body += d));
      c.on('end', () => resolve(body));
      c.on('error', reject);
    });
    expect(reply).toBe('got 11 bytes');
    await eventually(() => proxy.activeConnections() === 0, { timeoutMs: 5_000, intervalMs: 10 });
  });

  it('moves 50 MB each way intact', async () => {
    const backend = await tcpBackend('127.0.0.2', port, (s) => s.pipe(s));
    closers.push(() => close(backend));
    await startProxy([`127.0.0.2:${port}`]);
    const payload = randomBytes(50 * 1024 * 1024);
    const sent = createHash('sha256').update(payload).digest('hex');
    const got = await new Promise<{ hash: string; bytes: number }>((resolve, reject) => {
      const hash = createHash('sha256');
      let bytes = 0;
      const c = connect({ host: VIP, port, allowHalfOpen: true }, () => c.end(payload));
      c.on('data', (d: Buffer) => {
        bytes += d.length;
        hash.update(d);
      });
      c.on('end', () => resolve({ hash: hash.digest('hex'), bytes }));
      c.on('error', reject);
    });
    expect(got.bytes).toBe(payload.length);
    expect(got.hash).toBe(sent);
  });

  it('applies backpressure: a backend that does not read stops the client', async () => {
    let paused: Socket | undefined;
    const backend = await tcpBackend('127.0.0.2', port, (s) => {
      s.pause();
      paused = s;
    });
    closers.push(() => {
      paused?.destroy();
      return close(backend);
    });
    await startProxy([`127.0.0.2:${port}`]);
    const c = connect({ host: VIP, port });
    closers.push(() => void c.destroy());
    await new Promise((r) => c.once('connect', r));
    const chunk = Buffer.alloc(1024 * 1024);
    let accepted = 0;
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline) {
      if (c.write(chunk)) accepted += chunk.length;
      else await Promise.race([new Promise((r) => c.once('drain', r)), new Promise((r) => setTimeout(r, 100))]);
    }
    // Only kernel buffers sit between a stalled reader and the client: far less than loopback moves in 1.5 s.
    expect(accepted).toBeLessThan(64 * 1024 * 1024);
    expect(c.writableLength).toBeGreaterThan(0);
    let drained = 0;
    paused?.on('data', (d: Buffer) => (drained += d.length));
    paused?.resume();
    await eventually(() => drained >= accepted, { timeoutMs: 5_000, intervalMs: 10 });
  });
});

/**
 * A listener that never accepts, with its one-slot backlog taken: further SYNs are
 * dropped, so a dial there hangs until its timeout (a blackholed endpoint).
 */
async function blackhole(host: string): Promise<{ port: number; stop(): Promise<void> }> {
  const script = `import socket,sys,time
s=socket.socket();s.bind(('${host}',0));s.listen(0)
print(s.getsockname()[1],flush=True)
sys.stdin.read()`;
  const child: ChildProcess = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('error', reject);
  });
  const filler = connect({ host, port });
  filler.on('error', () => undefined);
  await new Promise((r) => filler.once('connect', r));
  return {
    port,
    async stop() {
      filler.destroy();
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin?.end();
      child.kill();
      await exited;
    },
  };
}
