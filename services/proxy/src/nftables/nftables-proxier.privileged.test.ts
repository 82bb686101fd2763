/**
 * The nftables proxier against the real kernel (root only; fails without it): a node
 * netns with a pod bridge and four pod netns, rules applied with `nft -f` inside the
 * node netns, real TCP and UDP through ClusterIPs. The host's own ruleset is compared
 * before and after (stateless, so the host's own counters may move): nothing here may touch it.
 */
import { execFileSync } from 'node:child_process';
import { createLogger } from '@kemu/log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredServicePort } from '../desired-state.js';
import { affinitySetName } from './chain-names.js';
import { createConntrack } from './conntrack.js';
import { createNft } from './nft.js';
import { type NftablesProxier, createNftablesProxier } from './nftables-proxier.js';
import { prepareNodeForNftables } from './node-setup.js';
import { desiredPort } from './testing/desired-fixture.js';
import {
  type ClientAgent,
  type FixturePod,
  type KernelFixture,
  SERVER_PORT,
  createKernelFixture,
} from './testing/kernel-fixture.js';

const log = createLogger({ component: 'test', level: 'silent' });
const hostRuleset = () =>
  execFileSync('nft', ['-s', 'list', 'ruleset'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const nameOf = (reply: { ok: boolean; reply?: string }) => (reply.ok ? reply.reply?.split(' ')[0] : undefined);
const seenAs = (reply: { ok: boolean; reply?: string }) => reply.reply?.split(' ')[1]?.replace('::ffff:', '');

describe('nftables proxier in a node netns (privileged)', () => {
  let hostBefore: string;
  let fx: KernelFixture;
  let proxier: NftablesProxier;
  let a: FixturePod;
  let b: FixturePod;
  let c: FixturePod;
  let client: ClientAgent;
  const state = new Map<string, DesiredServicePort>();

  const ep = (pod: FixturePod) => `${pod.ip}:${SERVER_PORT}`;
  async function set(...ports: [string, DesiredServicePort][]): Promise<void> {
    for (const [k, v] of ports) state.set(k, v);
    await proxier.syncProxyRules(state);
  }
  async function spread(ip: string, port: number, n: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const who = nameOf(await client.tcp(ip, port)) ?? 'error';
      counts.set(who, (counts.get(who) ?? 0) + 1);
    }
    return counts;
  }

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (network namespaces and nftables)');
    hostBefore = hostRuleset();
    fx = await createKernelFixture(['a', 'b', 'c', 'd']);
    [a, b, c] = fx.pods as [FixturePod, FixturePod, FixturePod];
    await prepareNodeForNftables({ netns: fx.node, serviceCIDR: '10.96.0.0/12' });
    for (const pod of fx.pods) await fx.startServer(pod);
    proxier = createNftablesProxier({
      nft: createNft({ netns: fx.node, session: true }),
      conntrack: createConntrack({ netns: fx.node }),
      log,
    });
    client = fx.client(a);
  });

  afterAll(async () => {
    await proxier?.stop();
    await fx?.[Symbol.asyncDispose]();
    if (hostBefore !== undefined) expect(hostRuleset()).toBe(hostBefore);
  });

  it('carries TCP and UDP through a ClusterIP to an endpoint that sees the client pod itself', async () => {
    await set(
      desiredPort('tcp1', '10.96.0.10', 80, [ep(b)]),
      desiredPort('udp1', '10.96.0.10', 53, [ep(b)], { portName: 'dns', protocol: 'UDP' }),
    );
    const tcp = await client.tcp('10.96.0.10', 80);
    expect(nameOf(tcp)).toBe('b');
    expect(seenAs(tcp)).toBe(a.ip);
    const udp = await client.udp('10.96.0.10', 53, 'first');
    expect(nameOf(udp)).toBe('b');
    expect(seenAs(udp)).toBe(a.ip);
  });

  it('rejects at once a Service without endpoints and a ClusterIP port no Service has', async () => {
    await set(desiredPort('empty', '10.96.0.11', 80, []));
    const t0 = performance.now();
    expect(await client.tcp('10.96.0.11', 80)).toEqual({ ok: false, code: 'ECONNREFUSED' });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(await client.tcp('10.96.0.10', 81)).toEqual({ ok: false, code: 'ECONNREFUSED' });
  });

  it('spreads new connections at random across endpoints', async () => {
    await set(desiredPort('spread', '10.96.0.12', 80, [ep(b), ep(c)]));
    const counts = await spread('10.96.0.12', 80, 60);
    // Binomial(60, 1/2): fewer than 10 on one side happens with probability < 1e-7.
    expect(counts.get('b')).toBeGreaterThanOrEqual(10);
    expect(counts.get('c')).toBeGreaterThanOrEqual(10);
  });

  it('keeps a client on one endpoint with ClientIP affinity, recorded in a timed set a full resync keeps', async () => {
    const [key, d] = desiredPort('sticky', '10.96.0.13', 80, [ep(b), ep(c)], {
      sessionAffinity: 'ClientIP',
      timeoutSeconds: 600,
    });
    await set([key, d]);
    const counts = await spread('10.96.0.13', 80, 20);
    expect(counts.size).toBe(1);
    const stuck = [...counts.keys()][0] === 'b' ? b : c;
    const ref = { namespace: 'default', name: 'sticky', portName: 'http', protocol: 'TCP' as const };
    const setText = execFileSync(
      'ip',
      ['netns', 'exec', fx.node, 'nft', 'list', 'set', 'ip', 'kube-proxy', affinitySetName(ref, ep(stuck))],
      { encoding: 'utf8' },
    );
    expect(setText).toContain(`${a.ip} expires`);
    expect(setText).toContain('timeout 10m');
    proxier.requestFullSync();
    await proxier.syncProxyRules(state);
    expect(proxier.lastSync()?.full).toBe(true);
    expect(await spread('10.96.0.13', 80, 10)).toEqual(new Map([[stuck.name, 10]]));
  });

  it('masquerades a pod that reaches itself through its Service (hairpin)', async () => {
    await set(desiredPort('self', '10.96.0.14', 80, [ep(a)]));
    const reply = await client.tcp('10.96.0.14', 80);
    expect(nameOf(reply)).toBe('a');
    expect(seenAs(reply)).toBe(fx.bridgeIP);
  });

  it('stops using a removed endpoint, and moves an open UDP flow off it (conntrack cleanup)', async () => {
    await set(
      desiredPort('shrink', '10.96.0.15', 80, [ep(b), ep(c)]),
      desiredPort('udp2', '10.96.0.15', 53, [ep(c)], { portName: 'dns', protocol: 'UDP' }),
    );
    expect(nameOf(await client.udp('10.96.0.15', 53, 'pinned'))).toBe('c');
    expect(nameOf(await client.udp('10.96.0.15', 53, 'pinned'))).toBe('c');
    await set(
      desiredPort('shrink', '10.96.0.15', 80, [ep(b)]),
      desiredPort('udp2', '10.96.0.15', 53, [ep(b)], { portName: 'dns', protocol: 'UDP' }),
    );
    expect(proxier.lastSync()).toMatchObject({ full: false });
    expect(proxier.lastSync()?.conntrackDeleted).toBeGreaterThanOrEqual(1);
    expect(await spread('10.96.0.15', 80, 20)).toEqual(new Map([['b', 20]]));
    expect(nameOf(await client.udp('10.96.0.15', 53, 'pinned'))).toBe('b');
  });

  it('shows kube-proxy names in the node netns ruleset', () => {
    const ruleset = execFileSync('ip', ['netns', 'exec', fx.node, 'nft', 'list', 'table', 'ip', 'kube-proxy'], {
      encoding: 'utf8',
    });
    expect(ruleset).toMatch(/chain service-[A-Z2-7]{8}-default\/spread\/tcp\/http \{/);
    expect(ruleset).toMatch(/numgen random mod 2 vmap \{ 0 : goto endpoint-[A-Z2-7]{8}-default\/spread\/tcp\/http__/);
    expect(ruleset).toContain('map no-endpoint-services');
    expect(ruleset).toContain('masquerade fully-random');
  });
});
