/**
 * Flow records from conntrack against the real kernel (root only; fails without it): a
 * node netns with the nftables proxier's rules, echo servers in pod netns, real TCP and
 * UDP connections through ClusterIPs, and the records the conntrack flow source makes of
 * them, in the userspace proxy's format.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import type { ConnectionFlow } from '@kemu/flows';
import { createLogger } from '@kemu/log';
import { eventually } from '@kemu/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredServicePort } from '../desired-state.js';
import type { ConntrackEvent } from './conntrack-events.js';
import { type ConntrackFlowSource, startConntrackFlowSource } from './conntrack-flow-source.js';
import { watchConntrackEvents } from './conntrack-watch.js';
import { createConntrack } from './conntrack.js';
import { createNft } from './nft.js';
import { type NftablesProxier, createNftablesProxier } from './nftables-proxier.js';
import { prepareNodeForNftables } from './node-setup.js';
import { desiredPort } from './testing/desired-fixture.js';
import { type FixturePod, type KernelFixture, SERVER_PORT, createKernelFixture } from './testing/kernel-fixture.js';

const log = createLogger({ component: 'test', level: 'silent' });

const ECHO = `
const net = require('node:net'), dgram = require('node:dgram');
net.createServer((s) => { s.on('error', () => {}); s.pipe(s); }).listen(${SERVER_PORT}, () => console.log('ready'));
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => u.send(m, r.port, r.address));
u.bind(${SERVER_PORT});`;

/** Sends `bytes` over TCP, holds the connection `holdMs`, closes and reads the echo; prints bytes echoed. */
const TCP_CLIENT = `
const [ip, port, bytes, holdMs] = process.argv.slice(1);
const c = require('node:net').connect({ host: ip, port: Number(port) }, () => {
  c.write(Buffer.alloc(Number(bytes), 120));
  setTimeout(() => c.end(), Number(holdMs));
});
let n = 0, failed = false; c.on('data', (d) => (n += d.length));
c.on('close', () => { if (!failed) console.log(n); });
c.on('error', (e) => { failed = true; console.log(e.code); });`;

/** Opens connections one after another for `ms`, each sending 10 bytes and closing; prints how many. */
const STORM_CLIENT = `
const [ip, port, ms] = process.argv.slice(1);
const until = Date.now() + Number(ms);
let n = 0;
const next = () => {
  if (Date.now() > until) return console.log(n);
  const c = require('node:net').connect({ host: ip, port: Number(port) }, () => c.end(Buffer.alloc(10, 120)));
  c.on('error', () => {});
  c.on('close', () => { n++; next(); });
  c.resume();
};
next();`;

const UDP_CLIENT = `
const [ip, port] = process.argv.slice(1);
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m) => { console.log(m.length); s.close(); });
s.send(Buffer.alloc(100, 65), Number(port), ip);
setTimeout(() => { console.log('TIMEOUT'); process.exit(0); }, 2000).unref();`;

function runIn(netns: string, script: string, args: (string | number)[]): string {
  return execFileSync('ip', ['netns', 'exec', netns, process.execPath, '-e', script, ...args.map(String)], {
    encoding: 'utf8',
    timeout: 10_000,
  }).trim();
}

describe('conntrack flow records in a node netns (privileged)', () => {
  let fx: KernelFixture;
  let proxier: NftablesProxier;
  let source: ConntrackFlowSource;
  let a: FixturePod;
  let b: FixturePod;
  let c: FixturePod;
  let d: FixturePod;
  const servers: ChildProcess[] = [];
  const records: ConnectionFlow[] = [];
  const state = new Map<string, DesiredServicePort>();
  const ep = (pod: FixturePod) => `${pod.ip}:${SERVER_PORT}`;
  const flowsTo = (clusterIP: string, port: number) =>
    records.filter((r) => r.clusterIP === clusterIP && r.port === port);

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (network namespaces and nftables)');
    fx = await createKernelFixture(['a', 'b', 'c', 'd']);
    [a, b, c, d] = fx.pods as [FixturePod, FixturePod, FixturePod, FixturePod];
    await prepareNodeForNftables({ netns: fx.node, serviceCIDR: '10.96.0.0/12' });
    // UDP entries end at conntrack's idle timeout; a short one brings their DESTROY within the test.
    execFileSync('ip', ['netns', 'exec', fx.node, 'sysctl', '-q', '-w', 'net.netfilter.nf_conntrack_udp_timeout=2']);
    for (const pod of [b, c]) {
      const child = spawn('ip', ['netns', 'exec', pod.netns, process.execPath, '-e', ECHO], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      servers.push(child);
      await once(child.stdout, 'data');
    }
    proxier = createNftablesProxier({
      nft: createNft({ netns: fx.node, session: true }),
      conntrack: createConntrack({ netns: fx.node }),
      log,
    });
    for (const [k, v] of [
      desiredPort('web', '10.96.0.10', 80, [ep(b), ep(c)]),
      desiredPort('dns', '10.96.0.10', 53, [ep(b)], { portName: 'dns', protocol: 'UDP' }),
      desiredPort('sticky', '10.96.0.11', 80, [ep(b), ep(c)], { sessionAffinity: 'ClientIP', timeoutSeconds: 60 }),
      desiredPort('dead', '10.96.0.12', 80, [ep(d)]),
      desiredPort('empty', '10.96.0.13', 80, []),
    ]) {
      state.set(k, { ...v, sliceVersions: [`rv-${v.info.name}`] });
    }
    await proxier.syncProxyRules(state, 42);
    source = startConntrackFlowSource({
      node: 'node-1',
      serviceCIDR: '10.96.0.0/12',
      netns: fx.node,
      lookup: proxier.programmedPort,
      record: (flow) => records.push(flow),
      maxFlowsPerSecond: 100_000,
      log,
    });
    await source.ready;
  });

  afterAll(async () => {
    source?.stop();
    await proxier?.stop();
    for (const s of servers) s.kill('SIGKILL');
    await fx?.[Symbol.asyncDispose]();
  });

  it('records a TCP connection: the DNAT target as endpoint, bytes both ways, ok, its duration', async () => {
    expect(runIn(a.netns, TCP_CLIENT, ['10.96.0.10', 80, 20_000, 300])).toBe('20000');
    const flow = await eventually(() => flowsTo('10.96.0.10', 80)[0], { timeoutMs: 10_000, what: 'the TCP record' });
    expect(flow).toMatchObject({
      kind: 'conn',
      protocol: 'TCP',
      node: 'node-1',
      mode: 'nftables',
      source: 'conntrack',
      client: expect.stringMatching(`^${a.ip}:\\d+$`),
      service: 'default/web:http',
      sliceVersions: ['rv-web'],
      programmedAtSeq: 42,
      candidates: [ep(b), ep(c)],
      reason: 'random',
      result: 'ok',
      proxyAddress: expect.stringMatching(`^${a.ip}:`),
    });
    expect([ep(b), ep(c)]).toContain(flow.endpoint);
    expect(flow.tried).toEqual([flow.endpoint]);
    // conntrack counts IP bytes, headers included: at least the payload each way.
    expect(flow.bytesIn).toBeGreaterThan(20_000);
    expect(flow.bytesOut).toBeGreaterThan(20_000);
    expect(flow.durationMs).toBeGreaterThanOrEqual(290);
    expect(flow.durationMs).toBeLessThan(5_000);
    expect(flow.connectMs).toBeLessThan(flow.durationMs);
  });

  it('records a UDP flow (a DNS-like exchange) when conntrack forgets it', async () => {
    expect(runIn(a.netns, UDP_CLIENT, ['10.96.0.10', 53])).toBe('100');
    const flow = await eventually(() => flowsTo('10.96.0.10', 53)[0], { timeoutMs: 15_000, what: 'the UDP record' });
    expect(flow).toMatchObject({ protocol: 'UDP', service: 'default/dns:dns', endpoint: ep(b), result: 'ok' });
    expect(flow.bytesIn).toBeGreaterThanOrEqual(128);
    expect(flow.bytesOut).toBeGreaterThanOrEqual(128);
  });

  it('says ClientIP affinity picked the endpoint of a Service that has it', async () => {
    runIn(a.netns, TCP_CLIENT, ['10.96.0.11', 80, 10, 0]);
    const flow = await eventually(() => flowsTo('10.96.0.11', 80)[0], { timeoutMs: 10_000, what: 'the record' });
    expect(flow).toMatchObject({ reason: 'session-affinity', result: 'ok' });
  });

  it('records a connection the endpoint refused, and none for a Service without endpoints', async () => {
    expect(runIn(a.netns, TCP_CLIENT, ['10.96.0.12', 80, 10, 0])).toBe('ECONNREFUSED');
    expect(runIn(a.netns, TCP_CLIENT, ['10.96.0.13', 80, 10, 0])).toBe('ECONNREFUSED');
    const flow = await eventually(() => flowsTo('10.96.0.12', 80)[0], { timeoutMs: 10_000, what: 'the record' });
    expect(flow).toMatchObject({ endpoint: ep(d), result: 'refused', candidates: [ep(d)] });
    // The reject rule drops the packet before conntrack confirms its entry: no event, no record.
    expect(flowsTo('10.96.0.13', 80)).toEqual([]);
    expect(source.stats()).toMatchObject({ sampledOut: 0, evicted: 0, countersMissing: 0, eventsLost: 0 });
  });

  it('keeps pod-to-pod flows from sending conntrack events at all (the event mask)', async () => {
    const seen: ConntrackEvent[] = [];
    const watch = watchConntrackEvents({ netns: fx.node, onEvent: (e) => seen.push(e) });
    try {
      await watch.ready;
      expect(runIn(a.netns, TCP_CLIENT, [b.ip, SERVER_PORT, 10, 0])).toBe('10');
      expect(runIn(a.netns, TCP_CLIENT, ['10.96.0.10', 80, 10, 0])).toBe('10');
      await eventually(() => seen.some((e) => e.original.dst === '10.96.0.10' && e.state === 'TIME_WAIT'), {
        what: 'the ClusterIP flow to close',
      });
      expect(seen.filter((e) => e.original.dst === b.ip)).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it('samples a connection storm in the kernel, says so, and weighs the records it keeps', async () => {
    source.stop();
    const stormy = startConntrackFlowSource({
      node: 'node-1',
      serviceCIDR: '10.96.0.0/12',
      netns: fx.node,
      lookup: proxier.programmedPort,
      record: (flow) => records.push(flow),
      maxFlowsPerSecond: 20,
      log,
    });
    source = stormy;
    await stormy.ready;
    const before = flowsTo('10.96.0.10', 80).length;
    // Asynchronously: the source reads events and ticks its rate while the storm runs.
    const storm = await promisify(execFile)(
      'ip',
      ['netns', 'exec', a.netns, process.execPath, '-e', STORM_CLIENT, '10.96.0.10', '80', '4000'],
      { timeout: 20_000 },
    );
    const made = Number(storm.stdout.trim());
    expect(made).toBeGreaterThan(400);
    expect(stormy.stats().sampleEvery).toBeGreaterThan(1);
    // Every kept record arrives once its counters are read; then the weights add up to about what was made.
    const weightOf = () =>
      flowsTo('10.96.0.10', 80)
        .slice(before)
        .reduce((sum, r) => sum + (r.weight ?? 1), 0);
    await eventually(() => stormy.stats().open === 0 && stormy.stats().awaitingCounters === 0, {
      timeoutMs: 15_000,
      what: 'the kept flows to be recorded',
    });
    const kept = flowsTo('10.96.0.10', 80).slice(before);
    console.log(
      `conntrack storm: ${made} connections, ${kept.length} kept, weights ${weightOf()}, period ${stormy.stats().sampleEvery}`,
    );
    expect(kept.length).toBeLessThan(made / 2);
    expect(kept.some((r) => (r.weight ?? 1) > 1)).toBe(true);
    expect(weightOf()).toBeGreaterThan(made * 0.5);
    expect(weightOf()).toBeLessThan(made * 1.5);
  });
});
