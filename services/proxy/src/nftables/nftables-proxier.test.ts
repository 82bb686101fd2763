import { createLogger } from '@kemu/log';
import { describe, expect, it } from 'vitest';
import type { ConntrackFilter } from './conntrack-cleanup.js';
import type { Conntrack } from './conntrack.js';
import type { Nft } from './nft.js';
import { createNftablesProxier } from './nftables-proxier.js';
import { desiredPort, desiredState } from './testing/desired-fixture.js';

const log = createLogger({ component: 'test', level: 'silent' });

/** Records what would reach nft and conntrack; `failNext` makes the next transaction fail. */
function recording() {
  const transactions: string[][] = [];
  const deleted: ConntrackFilter[] = [];
  let listings = 0;
  let failNext = false;
  const nft: Nft = {
    async apply(lines) {
      if (failNext) {
        failNext = false;
        throw new Error('refused');
      }
      transactions.push([...lines]);
    },
    async listObjects() {
      listings++;
      return { chains: [], sets: [], maps: [] };
    },
    async deleteTable() {},
    close() {},
  };
  const conntrack: Conntrack = {
    async deleteEntries(f) {
      deleted.push(f);
      return 1;
    },
  };
  return { nft, conntrack, transactions, deleted, listings: () => listings, failNextApply: () => (failNext = true) };
}

const dns = (endpoints: string[]) => desiredPort('dns', '10.96.0.10', 53, endpoints, { protocol: 'UDP' });

describe('createNftablesProxier', () => {
  it('syncs fully first, partially after, and fully again once the period has passed', async () => {
    let t = 0;
    const r = recording();
    const p = createNftablesProxier({ ...r, log, fullSyncPeriodMs: 1000, now: () => t });
    await p.syncProxyRules(desiredState(dns(['10.244.1.2:53'])));
    expect(p.lastSync()?.full).toBe(true);
    t = 500;
    await p.syncProxyRules(desiredState(dns(['10.244.1.2:53', '10.244.1.3:53'])));
    expect(p.lastSync()).toMatchObject({ full: false });
    expect(r.transactions[1]?.some((l) => l.startsWith('add table'))).toBe(false);
    t = 1000;
    await p.syncProxyRules(desiredState(dns(['10.244.1.2:53', '10.244.1.3:53'])));
    expect(p.lastSync()?.full).toBe(true);
    expect(r.listings()).toBe(2);
  });

  it('syncs fully after a failed transaction, and reports the failure', async () => {
    const r = recording();
    const p = createNftablesProxier({ ...r, log });
    await p.syncProxyRules(desiredState(dns(['10.244.1.2:53'])));
    r.failNextApply();
    await expect(p.syncProxyRules(desiredState(dns([])))).rejects.toThrow('refused');
    await p.syncProxyRules(desiredState(dns([])));
    expect(p.lastSync()?.full).toBe(true);
  });

  it('deletes the UDP conntrack entries of a removed endpoint after the commit', async () => {
    const r = recording();
    const p = createNftablesProxier({ ...r, log });
    await p.syncProxyRules(desiredState(dns(['10.244.1.2:53', '10.244.1.3:53'])));
    await p.syncProxyRules(desiredState(dns(['10.244.1.3:53'])));
    expect(r.deleted).toEqual([
      { protocol: 'udp', origDst: '10.96.0.10', origPortDst: 53, replySrc: '10.244.1.2', replyPortSrc: 53 },
    ]);
    expect(p.lastSync()?.conntrackDeleted).toBe(1);
    expect(p.servicePorts()).toEqual([
      {
        servicePort: 'default/dns:http',
        listen: '10.96.0.10:53/UDP',
        listening: true,
        endpoints: ['10.244.1.3:53'],
        sliceVersions: [],
        programmedAtSeq: 0,
      },
    ]);
  });
});
