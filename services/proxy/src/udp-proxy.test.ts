import { createLogger } from '@kemu/log';
import { consistently, eventually } from '@kemu/testkit';
import { type Socket, createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoundRobinBalancer } from './balancer.js';
import { createProxyMetrics } from './metrics.js';
import { type UdpProxy, createUdpProxy } from './udp-proxy.js';

const log = createLogger({ component: 'test', level: 'silent' });
const spn = 'kube-system/kube-dns:dns';
const VIP = '127.0.0.10';

async function bind(host: string, port = 0): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, host, () => resolve());
  });
  return s;
}

/** A UDP backend that answers every datagram with its name and what it got. */
async function nameServer(host: string, port: number, name: string): Promise<Socket> {
  const s = await bind(host, port);
  s.on('message', (m, r) => s.send(`${name}:${m.toString()}`, r.port, r.address));
  return s;
}

function ask(client: Socket, msg: string, port: number): Promise<{ text: string; from: string }> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Buffer, r: { address: string; port: number }) => {
      clearTimeout(t);
      resolve({ text: m.toString(), from: `${r.address}:${r.port}` });
    };
    const t = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error('no reply'));
    }, 2000);
    client.once('message', onMessage);
    client.send(msg, port, VIP);
  });
}

describe('createUdpProxy', () => {
  const sockets: Socket[] = [];
  let proxy: UdpProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    for (const s of sockets.splice(0)) s.close();
  });

  async function setup(endpointHosts: string[], idleTimeoutMs = 30_000) {
    const probe = await bind(VIP);
    const port = probe.address().port;
    probe.close();
    for (const [i, h] of ['127.0.0.2', '127.0.0.3'].entries()) sockets.push(await nameServer(h, port, `b${i}`));
    const balancer = createRoundRobinBalancer({ random: () => 0.5 });
    balancer.setService(spn, { type: 'None' });
    balancer.onEndpointsUpdate(
      spn,
      endpointHosts.map((h) => `${h}:${port}`),
    );
    const metrics = createProxyMetrics();
    const p = createUdpProxy({
      servicePort: spn,
      ip: VIP,
      port,
      log,
      metrics,
      idleTimeoutMs,
      nextEndpoint: (ip, r) => balancer.nextEndpoint(spn, ip, r),
    });
    proxy = p;
    await p.setListening(true);
    return { port, balancer, metrics, proxy: p };
  }

  it('keeps a client on one endpoint per flow, balances clients, and replies from the ClusterIP', async () => {
    const { port, proxy: p } = await setup(['127.0.0.2', '127.0.0.3']);
    const c1 = await bind('127.0.0.1');
    const c2 = await bind('127.0.0.1');
    sockets.push(c1, c2);
    const r1 = await ask(c1, 'q1', port);
    expect(r1.from).toBe(`${VIP}:${port}`);
    expect(r1.text).toMatch(/^b[01]:q1$/);
    const first = r1.text.slice(0, 2);
    expect((await ask(c1, 'q2', port)).text).toBe(`${first}:q2`);
    expect((await ask(c2, 'q3', port)).text).not.toMatch(new RegExp(`^${first}`));
    expect(p.activeFlows()).toBe(2);
  });

  it('ends idle flows after the idle timeout', async () => {
    const { port, proxy: p, metrics } = await setup(['127.0.0.2', '127.0.0.3'], 150);
    const c1 = await bind('127.0.0.1');
    sockets.push(c1);
    const a = (await ask(c1, 'x', port)).text.slice(0, 2);
    await eventually(() => p.activeFlows() === 0, { timeoutMs: 5_000, intervalMs: 10, what: 'no flow' });
    expect(metrics.udpFlowsActive).toBe(0);
    // A new flow takes the next endpoint in the rotation.
    expect((await ask(c1, 'y', port)).text.slice(0, 2)).not.toBe(a);
  });

  it('re-sends the datagram a refusing endpoint lost to another endpoint, so the first query is answered', async () => {
    // Nothing listens on 127.0.0.4: the flow's socket gets ICMP port unreachable.
    const { port, proxy: p, metrics } = await setup(['127.0.0.4', '127.0.0.3']);
    const c1 = await bind('127.0.0.1');
    sockets.push(c1);
    expect((await ask(c1, 'first', port)).text).toBe('b1:first');
    // One flow to the dead endpoint, replaced by one to the live endpoint, which stays.
    expect(metrics.udpFlowsCreated).toBe(2);
    expect(p.activeFlows()).toBe(1);
    expect((await ask(c1, 'second', port)).text).toBe('b1:second');
    expect(metrics.udpFlowsCreated).toBe(2);
  });

  it('answers every query of many clients, first ones included, when one of two endpoints is closed', async () => {
    const { port, metrics } = await setup(['127.0.0.2', '127.0.0.4']);
    const clients = await Promise.all(Array.from({ length: 6 }, () => bind('127.0.0.1')));
    sockets.push(...clients);
    // Each client is a new flow; the round robin sends half of them to the closed endpoint.
    const replies = await Promise.all(clients.map((c, i) => ask(c, `q${i}`, port)));
    expect(replies.map((r) => r.text)).toEqual(clients.map((_, i) => `b0:q${i}`));
    expect(metrics.udpFlowsCreated).toBeGreaterThan(clients.length);
    // Later queries stay on the live endpoint.
    for (const [i, c] of clients.entries()) expect((await ask(c, `again${i}`, port)).text).toBe(`b0:again${i}`);
  });

  it('re-sends only once: a flow whose retry is refused too closes, and the next datagram picks again', async () => {
    const { port, proxy: p, metrics, balancer } = await setup(['127.0.0.4', '127.0.0.5']);
    const c1 = await bind('127.0.0.1');
    sockets.push(c1);
    c1.send('lost', port, VIP);
    await eventually(() => metrics.udpFlowsCreated === 2 && p.activeFlows() === 0, {
      timeoutMs: 5_000,
      intervalMs: 10,
      what: 'two flows, both closed',
    });
    await consistently(() => metrics.udpFlowsCreated === 2, { forMs: 100, what: 'no third flow' });
    // An endpoint comes back: the client's next datagram gets through.
    balancer.onEndpointsUpdate(spn, [`127.0.0.3:${port}`]);
    expect((await ask(c1, 'retry', port)).text).toBe('b1:retry');
  });

  it('refuses datagrams when closed for lack of endpoints', async () => {
    const { port, proxy: p } = await setup(['127.0.0.2']);
    await p.setListening(false);
    const c = createSocket('udp4');
    sockets.push(c);
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      c.on('error', resolve);
      c.connect(port, VIP, () => {
        c.send('a');
        setTimeout(() => c.send('b'), 50);
      });
    });
    expect(err.code).toBe('ECONNREFUSED');
  });
});
