import type { ConnectionFlow } from '@kemu/flows';
import { createLogger } from '@kemu/log';
import { eventually, freePort } from '@kemu/testkit';
import { createSocket } from 'node:dgram';
import { type Server, connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoundRobinBalancer } from './balancer.js';
import type { FlowTap } from './flow-tap.js';
import { createProxyMetrics } from './metrics.js';
import { createTcpProxy } from './tcp-proxy.js';
import { createUdpProxy } from './udp-proxy.js';

const log = createLogger({ component: 'test', level: 'silent' });
const VIP = '127.0.0.11';

function tapInto(records: ConnectionFlow[], candidates: string[], follow = () => 1): FlowTap {
  return {
    node: 'node-1',
    follow,
    record: (r) => records.push(r),
    pickContext: () => ({ sticky: false, candidates, sliceVersions: ['42'], programmedAtSeq: 41 }),
  };
}

function exchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: VIP, port });
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.end(payload);
  });
}

describe('flow records of the userspace data plane', () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  /** A TCP server on 127.0.0.1 answering `echo:<what it read>`; its port. */
  async function echoBackend(): Promise<number> {
    const port = await freePort('127.0.0.1');
    const backend: Server = createServer((s) => s.on('data', (d) => s.end(`echo:${d}`)));
    await new Promise<void>((r) => backend.listen(port, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => backend.close(() => r())));
    return port;
  }

  it('records a TCP connection with its pick, endpoint, bytes and result, and a refused dial after retries', async () => {
    const backendPort = await echoBackend();
    const deadPort = await freePort('127.0.0.1');
    const balancer = createRoundRobinBalancer({ random: () => 0.99 });
    const spn = 'default/web';
    const endpoints = [`127.0.0.1:${backendPort}`];
    balancer.setService(spn, { type: 'None' });
    balancer.onEndpointsUpdate(spn, endpoints);
    const records: ConnectionFlow[] = [];
    const port = await freePort(VIP);
    const proxy = createTcpProxy({
      servicePort: spn,
      ip: VIP,
      port,
      log,
      metrics: createProxyMetrics(),
      nextEndpoint: (ip, reset) => balancer.nextEndpoint(spn, ip, reset),
      flows: tapInto(records, endpoints),
      dialTimeoutsMs: [200, 200],
    });
    closers.push(() => proxy.close());
    await proxy.setListening(true);

    expect(await exchange(port, 'hello')).toBe('echo:hello');
    await eventually(() => expect(records).toHaveLength(1));
    expect(records[0]).toMatchObject({
      kind: 'conn',
      protocol: 'TCP',
      node: 'node-1',
      service: spn,
      clusterIP: VIP,
      port,
      endpoint: `127.0.0.1:${backendPort}`,
      tried: [`127.0.0.1:${backendPort}`],
      reason: 'round-robin',
      result: 'ok',
      bytesIn: 5,
      bytesOut: 10,
      sliceVersions: ['42'],
      programmedAtSeq: 41,
    });
    expect(records[0]?.client).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(records[0]?.proxyAddress).toMatch(/^127\.0\.0\.1:\d+$/);

    balancer.onEndpointsUpdate(spn, [`127.0.0.1:${deadPort}`]);
    await exchange(port, 'x').catch(() => undefined);
    await eventually(() => expect(records).toHaveLength(2));
    expect(records[1]).toMatchObject({ result: 'refused', reason: 'retry', bytesOut: 0 });
    expect(records[1]?.endpoint).toBeUndefined();
    expect(records[1]?.tried).toEqual([`127.0.0.1:${deadPort}`, `127.0.0.1:${deadPort}`]);
  });

  it('leaves out the connections sampling does not follow and gives the followed ones its weight', async () => {
    const backendPort = await echoBackend();
    const endpoint = `127.0.0.1:${backendPort}`;
    const records: ConnectionFlow[] = [];
    const decisions = [0, 8, 0, 0, 8];
    const port = await freePort(VIP);
    const proxy = createTcpProxy({
      servicePort: 'default/web',
      ip: VIP,
      port,
      log,
      metrics: createProxyMetrics(),
      nextEndpoint: () => endpoint,
      flows: tapInto(records, [endpoint], () => decisions.shift() ?? 0),
    });
    closers.push(() => proxy.close());
    await proxy.setListening(true);
    for (const word of ['a', 'b', 'c', 'd', 'e']) expect(await exchange(port, word)).toBe(`echo:${word}`);
    await eventually(() => expect(records).toHaveLength(2));
    expect(records.map((r) => [r.bytesIn, r.weight])).toEqual([
      [1, 8],
      [1, 8],
    ]);
    expect(decisions).toEqual([]);
  });

  it('records a UDP flow when it ends, with the datagram bytes both ways', async () => {
    const backend = createSocket('udp4');
    await new Promise<void>((r) => backend.bind(0, '127.0.0.1', () => r()));
    backend.on('message', (m, from) => backend.send(Buffer.concat([Buffer.from('re:'), m]), from.port, from.address));
    closers.push(() => backend.close());
    const endpoint = `127.0.0.1:${backend.address().port}`;
    const records: ConnectionFlow[] = [];
    const port = await freePort(VIP);
    const proxy = createUdpProxy({
      servicePort: 'kube-system/kube-dns:dns',
      ip: VIP,
      port,
      log,
      metrics: createProxyMetrics(),
      nextEndpoint: () => endpoint,
      flows: tapInto(records, [endpoint]),
      idleTimeoutMs: 100,
    });
    closers.push(() => proxy.close());
    await proxy.setListening(true);
    const client = createSocket('udp4');
    closers.push(() => client.close());
    const reply = new Promise<string>((r) => client.once('message', (m) => r(m.toString())));
    client.send('ping', port, VIP);
    expect(await reply).toBe('re:ping');
    await eventually(() => expect(records).toHaveLength(1));
    expect(records[0]).toMatchObject({ protocol: 'UDP', endpoint, result: 'ok', bytesIn: 4, bytesOut: 7 });
    expect(records[0]?.proxyAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
