/**
 * The nftables proxier (kube-proxy's nftables mode): the same `Proxier` contract as the
 * userspace one, fed by the same trackers and sync runner, but the data plane is the
 * kernel. Each sync renders the whole desired table, plans the difference from what it
 * applied last and commits it as one `nft -f` transaction; a sync is full (every chain
 * rewritten, leftovers in the kernel's table deleted) on the first run, after a failed
 * one and once `fullSyncPeriodMs` has passed since the last full one, and partial
 * otherwise. After a successful commit it deletes stale UDP conntrack entries; a
 * conntrack failure is logged and does not fail the sync. Rules stay in place when the
 * proxy stops, as kube-proxy leaves them: traffic keeps flowing across a restart.
 * Endpoint changes are logged after their commit with the userspace proxier's message,
 * so one reading of the logs times endpoint removal in either mode.
 */
import type { Logger } from '@kemu/log';
import type { DesiredServicePort } from '../desired-state.js';
import type { AppliedServicePort, Proxier } from '../proxier.js';
import type { Conntrack } from './conntrack.js';
import { planConntrackCleanup } from './conntrack-cleanup.js';
import type { Nft } from './nft.js';
import { planTransaction } from './plan-transaction.js';
import type { RenderOptions } from './render-rule-set.js';
import { createRuleSetRenderer } from './rule-set-renderer.js';
import type { RuleSet } from './rule-set.js';

/** kube-proxy's default --sync-period: at most this long between two full syncs. */
export const DEFAULT_FULL_SYNC_PERIOD_MS = 30_000;

/** What an nftables proxier applies to. */
export interface NftablesProxierOptions {
  nft: Nft;
  conntrack: Conntrack;
  log: Logger;
  render?: RenderOptions;
  fullSyncPeriodMs?: number;
  now?: () => number;
}

/** What the last sync did (for logs, tests and the sync-time measurement). */
export interface NftSyncStats {
  full: boolean;
  statements: number;
  /** Milliseconds spent rendering and planning, and in `nft` (listing included). */
  planMs: number;
  nftMs: number;
  conntrackDeleted: number;
}

/** What the committed rules hold for one ClusterIP port (the flow records' pick context). */
export interface ProgrammedPort {
  servicePort: string;
  /** The endpoints `numgen random` picks from, in rule order. */
  endpoints: readonly string[];
  sliceVersions: readonly string[];
  programmedAtSeq: number;
  /** ClientIP affinity: a client's earlier pick, kept in a timed set, wins over the random one. */
  sessionAffinity: boolean;
}

/** A proxier whose data plane is nftables. */
export interface NftablesProxier extends Proxier {
  lastSync(): NftSyncStats | undefined;
  /** The committed state of `clusterIP:port/protocol`, or undefined when no Service has it. */
  programmedPort(clusterIP: string, port: number, protocol: string): ProgrammedPort | undefined;
  /** Makes the next sync a full one. */
  requestFullSync(): void;
}

const addressKey = (ip: string, port: number, protocol: string) => `${ip}:${port}/${protocol.toUpperCase()}`;

/** Creates an nftables proxier that has applied nothing yet. */
export function createNftablesProxier(options: NftablesProxierOptions): NftablesProxier {
  const { nft, conntrack, log } = options;
  const now = options.now ?? Date.now;
  const fullSyncPeriodMs = options.fullSyncPeriodMs ?? DEFAULT_FULL_SYNC_PERIOD_MS;
  let applied: RuleSet | undefined;
  let appliedDesired: ReadonlyMap<string, DesiredServicePort> = new Map();
  let appliedAtSeq = 0;
  let byAddress = new Map<string, ProgrammedPort>();
  let lastFullAt = Number.NEGATIVE_INFINITY;
  let stats: NftSyncStats | undefined;
  const renderer = createRuleSetRenderer(options.render);

  async function syncProxyRules(desired: ReadonlyMap<string, DesiredServicePort>, atSeq = 0): Promise<void> {
    const t0 = performance.now();
    const full = applied === undefined || now() - lastFullAt >= fullSyncPeriodMs;
    const wanted = renderer.render(desired);
    const t1 = performance.now();
    const existing = full ? await nft.listObjects() : undefined;
    const t2 = performance.now();
    const lines = planTransaction({ applied: full ? undefined : applied, wanted, ...(existing ? { existing } : {}) });
    const t3 = performance.now();
    try {
      await nft.apply(lines);
    } catch (err) {
      applied = undefined;
      throw err;
    }
    const t4 = performance.now();
    applied = wanted;
    if (full) lastFullAt = now();
    const snapshot = new Map([...desired].map(([k, d]) => [k, { info: d.info, endpoints: [...d.endpoints] }]));
    for (const [spn, d] of snapshot) {
      const before = appliedDesired.get(spn);
      if (!before || before.endpoints.join(',') !== d.endpoints.join(',')) {
        log.info({ servicePort: spn, endpoints: d.endpoints }, 'setting endpoints for service port');
      }
    }
    let conntrackDeleted = 0;
    for (const filter of planConntrackCleanup(appliedDesired, snapshot)) {
      try {
        conntrackDeleted += await conntrack.deleteEntries(filter);
      } catch (err) {
        log.error({ err, filter }, 'cannot delete stale conntrack entries');
      }
    }
    appliedDesired = snapshot;
    appliedAtSeq = atSeq;
    byAddress = new Map(
      [...desired].map(([servicePort, d]) => [
        addressKey(d.info.clusterIP, d.info.port, d.info.protocol),
        {
          servicePort,
          endpoints: [...d.endpoints],
          sliceVersions: d.sliceVersions ?? [],
          programmedAtSeq: atSeq,
          sessionAffinity: d.info.sessionAffinity === 'ClientIP',
        },
      ]),
    );
    stats = {
      full,
      statements: lines.length,
      planMs: t1 - t0 + (t3 - t2),
      nftMs: t2 - t1 + (t4 - t3),
      conntrackDeleted,
    };
    // kube-proxy logs "SyncProxyRules complete" with the elapsed time; the bench reads these.
    if (lines.length > 0) log.info({ ...stats }, 'nftables rules synced');
  }

  return {
    syncProxyRules,
    servicePorts(): AppliedServicePort[] {
      return [...appliedDesired.entries()].map(([servicePort, d]) => ({
        servicePort,
        listen: `${d.info.clusterIP}:${d.info.port}/${d.info.protocol}`,
        listening: d.endpoints.length > 0,
        endpoints: d.endpoints,
        sliceVersions: d.sliceVersions ?? [],
        programmedAtSeq: appliedAtSeq,
      }));
    },
    // The rules stay, as kube-proxy leaves them on exit; only the nft process ends.
    async stop() {
      nft.close();
    },
    lastSync: () => stats,
    programmedPort: (clusterIP, port, protocol) => byAddress.get(addressKey(clusterIP, port, protocol)),
    requestFullSync() {
      applied = undefined;
    },
  };
}
