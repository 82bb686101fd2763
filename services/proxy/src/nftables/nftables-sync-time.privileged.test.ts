/**
 * Sync time of one Service change with 1000 Services programmed (root only; fails
 * without it), in a bare netns of its own: the partial sync that the change causes
 * against a full resync of the same table. Prints the numbers; asserts that partial is
 * the cheaper one and that the change is in the kernel afterwards.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createLogger } from '@kemu/log';
import { addNetns, deleteNetns } from '@kemu/netns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredServicePort } from '../desired-state.js';
import { createConntrack } from './conntrack.js';
import { createNft } from './nft.js';
import { createNftablesProxier } from './nftables-proxier.js';
import { desiredPort } from './testing/desired-fixture.js';

const SERVICES = 1000;
const ROUNDS = 5;
const log = createLogger({ component: 'test', level: 'silent' });
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;

describe('nftables sync time with 1000 Services (privileged)', () => {
  const netns = `kt-nft-${randomBytes(3).toString('hex')}-sync`;

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (network namespaces and nftables)');
    await addNetns(netns);
  });
  afterAll(async () => {
    await deleteNetns(netns);
  });

  it('applies one Service change as a partial sync much faster than a full resync', async () => {
    const nft = createNft({ netns, session: true });
    const proxier = createNftablesProxier({ nft, conntrack: createConntrack({ netns }), log });
    const state = new Map<string, DesiredServicePort>();
    for (let i = 0; i < SERVICES; i++) {
      const [k, v] = desiredPort(`svc-${i}`, `10.96.${i >> 8}.${i & 255}`, 80, [
        `10.244.${i >> 8}.${i & 255}:8080`,
        `10.245.${i >> 8}.${i & 255}:8080`,
      ]);
      state.set(k, v);
    }
    const t0 = performance.now();
    await proxier.syncProxyRules(state);
    const firstMs = performance.now() - t0;
    expect(proxier.lastSync()?.full).toBe(true);

    const partial: number[] = [];
    const full: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const [k, v] = desiredPort('svc-7', '10.96.0.7', 80, [`10.244.0.7:8080`, `10.246.0.${r}:8080`]);
      state.set(k, v);
      let t = performance.now();
      await proxier.syncProxyRules(state);
      partial.push(performance.now() - t);
      expect(proxier.lastSync()?.full).toBe(false);
      proxier.requestFullSync();
      t = performance.now();
      await proxier.syncProxyRules(state);
      full.push(performance.now() - t);
      expect(proxier.lastSync()?.full).toBe(true);
    }
    const table = execFileSync('ip', ['netns', 'exec', netns, 'nft', 'list', 'table', 'ip', 'kube-proxy'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(table).toContain(`dnat to 10.246.0.${ROUNDS - 1}:8080`);
    expect(table).not.toContain('dnat to 10.245.0.7:8080');
    const row = {
      services: SERVICES,
      firstSyncMs: firstMs,
      partialMedianMs: median(partial),
      fullMedianMs: median(full),
    };
    console.log(
      `nftables sync time: ${JSON.stringify(row, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`,
    );
    await proxier.stop();
    expect(median(partial) * 3).toBeLessThan(median(full));
  });
});
