/**
 * Host-gw pod routes, as flannel's host-gw backend keeps them: for every other Node with
 * a pod CIDR and an InternalIP, `ip route replace <podCIDR> via <InternalIP>` in this
 * node's netns, so pod IPs are routed (not NATed) between nodes, also nodes that joined
 * later from another machine. Routes carry their own protocol number, so a sync can tell
 * its routes from others and remove those of deleted nodes, also after a restart. Syncs
 * are coalesced: any Node change schedules one full compare of desired and existing, but a
 * change that leaves the desired routes as they were (a heartbeat; a hundred hollow nodes
 * send ten a second) reads the kernel's routes again only every REPAIR_INTERVAL_MS.
 */
import { HOLLOW_LABEL, type Node } from '@kemu/api';
import type { Logger } from '@kemu/log';
import { ipIn } from '@kemu/netns';

/** Routing protocol number marking kemu's pod routes (`ip route show proto 147`). */
export const POD_ROUTE_PROTO = '147';

/** How often an unchanged desired set is still compared with the kernel's routes (repairs drift). */
const REPAIR_INTERVAL_MS = 30_000;

/** One pod route: the other node's pod CIDR via its InternalIP. */
export interface PodRoute {
  cidr: string;
  via: string;
}

/** The routes this node wants: one per other node that has a pod CIDR and an InternalIP. */
export function desiredPodRoutes(nodes: readonly Node[], self: string, ownCidr?: string): PodRoute[] {
  const routes: PodRoute[] = [];
  for (const n of nodes) {
    // A hollow node's pods have no process: its CIDR keeps the unreachable route `kemu up` set.
    if (n.metadata.name === self || n.metadata.labels?.[HOLLOW_LABEL] === 'true') continue;
    const cidr = n.spec?.podCIDR;
    const via = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (!cidr || !via || cidr === ownCidr) continue;
    routes.push({ cidr, via });
  }
  return routes.sort((a, b) => a.cidr.localeCompare(b.cidr));
}

/** What to change: routes to add or repoint, and destinations to remove. */
export function planPodRoutes(
  desired: readonly PodRoute[],
  existing: readonly PodRoute[],
): { replace: PodRoute[]; remove: string[] } {
  const have = new Map(existing.map((r) => [r.cidr, r.via]));
  const want = new Set(desired.map((r) => r.cidr));
  return {
    replace: desired.filter((r) => have.get(r.cidr) !== r.via),
    remove: existing.filter((r) => !want.has(r.cidr)).map((r) => r.cidr),
  };
}

/** What the pod routes follow. */
export interface PodRoutesOptions {
  /** Netns to program; undefined for the current one (the node-agent runs in its node netns). */
  netns?: string;
  self: string;
  ownCidr?: () => string | undefined;
  listNodes(): Node[];
  /** Registers a handler for Node changes; returns its removal. */
  onNodesChange(handler: () => void): () => void;
  log: Logger;
  /** Delay that coalesces bursts of changes (default 100 ms). */
  coalesceMs?: number;
}

/** Running pod routes. */
export interface PodRoutes {
  /** Compares desired and existing routes now and applies the difference. */
  sync(): Promise<void>;
  start(): void;
  stop(): void;
}

/** Creates the route keeper; start() syncs once and then on every Node change. */
export function createPodRoutes(o: PodRoutesOptions): PodRoutes {
  let timer: NodeJS.Timeout | undefined;
  let removeHandler: (() => void) | undefined;
  let running: Promise<void> = Promise.resolve();
  let pending = false;
  let lastDesired: string | undefined;
  let lastCompareAt = 0;

  async function existingRoutes(): Promise<PodRoute[]> {
    const { stdout } = await ipIn(o.netns, ['-j', '-4', 'route', 'show', 'proto', POD_ROUTE_PROTO]);
    return (JSON.parse(stdout || '[]') as { dst: string; gateway?: string }[])
      .filter((r) => r.gateway)
      .map((r) => ({ cidr: r.dst, via: r.gateway as string }));
  }

  async function syncOnce(force: boolean): Promise<void> {
    const desired = desiredPodRoutes(o.listNodes(), o.self, o.ownCidr?.());
    const key = JSON.stringify(desired);
    if (!force && key === lastDesired && Date.now() - lastCompareAt < REPAIR_INTERVAL_MS) return;
    lastDesired = key;
    lastCompareAt = Date.now();
    const plan = planPodRoutes(desired, await existingRoutes());
    for (const r of plan.replace) {
      try {
        await ipIn(o.netns, ['route', 'replace', r.cidr, 'via', r.via, 'proto', POD_ROUTE_PROTO]);
        o.log.info({ object: r.cidr, via: r.via }, 'pod route set');
      } catch (err) {
        o.log.warn({ err, object: r.cidr, via: r.via }, 'pod route not set (next hop unreachable?)');
        lastDesired = undefined;
      }
    }
    for (const cidr of plan.remove) {
      try {
        await ipIn(o.netns, ['route', 'del', cidr, 'proto', POD_ROUTE_PROTO]);
        o.log.info({ object: cidr }, 'pod route removed');
      } catch (err) {
        o.log.warn({ err, object: cidr }, 'pod route not removed');
        lastDesired = undefined;
      }
    }
  }

  function sync(force = true): Promise<void> {
    running = running
      .then(() => syncOnce(force))
      .catch((err: unknown) => o.log.warn({ err }, 'pod routes sync failed'));
    return running;
  }

  function schedule(): void {
    if (pending) return;
    pending = true;
    timer = setTimeout(() => {
      pending = false;
      void sync(false);
    }, o.coalesceMs ?? 100);
  }

  return {
    sync,
    start() {
      removeHandler ??= o.onNodesChange(schedule);
      void sync();
    },
    stop() {
      removeHandler?.();
      removeHandler = undefined;
      if (timer) clearTimeout(timer);
      pending = false;
    },
  };
}
