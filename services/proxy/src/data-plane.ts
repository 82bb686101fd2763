/**
 * The proxy's data plane for its configured mode (kube-proxy's --proxy-mode), behind
 * the one Proxier contract the sync runner drives. Starting a mode first removes what
 * the other mode leaves in the node netns, as kube-proxy's CleanupLeftovers does: the
 * userspace mode's ClusterIPs on `lo`, or the nftables mode's `ip kube-proxy` table, its
 * conntrack event mask table and its local route for the service CIDR. In nftables mode the node netns is prepared
 * (br_netfilter, conntrack accounting) and, when recording, conntrack events become
 * flow records in the userspace mode's format. Both modes record under the same
 * per-node budget of new flows a second (flow-sample-rate.ts).
 */
import { formatCidr } from '@kemu/api';
import type { Logger } from '@kemu/log';
import { run } from '@kemu/netns';
import { createRoundRobinBalancer } from './balancer.js';
import type { ProxyConfig } from './config.js';
import { createLoopbackAddresses } from './loopback-addresses.js';
import type { ProxyMetrics } from './metrics.js';
import { createConntrack } from './nftables/conntrack.js';
import { removeEventMask } from './nftables/conntrack-event-mask.js';
import { startConntrackFlowSource } from './nftables/conntrack-flow-source.js';
import { createNft } from './nftables/nft.js';
import { createNftablesProxier } from './nftables/nftables-proxier.js';
import { prepareNodeForNftables } from './nftables/node-setup.js';
import { followSampled, startSampleRate } from './flow-sample-rate.js';
import type { FlowTap } from './flow-tap.js';
import { type Proxier, createProxier } from './proxier.js';

/** A started data plane. */
export interface DataPlane {
  proxier: Proxier;
  /** Asks for a full resync at the next sync (the sync runner's period). */
  onPeriod(): void;
  /** Stops what the data plane runs besides the proxier (the conntrack watcher, the sampling). */
  stop(): void;
}

/** Where flow records go, and the node they name. */
export type FlowSink = Pick<FlowTap, 'node' | 'record'>;

type DataPlaneConfig = Pick<
  ProxyConfig,
  'proxyMode' | 'serviceCidr' | 'clusterCidr' | 'udpIdleTimeoutMs' | 'node' | 'flowsMaxRate'
>;

/** Cleans the other mode's leftovers and starts the configured one. */
export async function startDataPlane(
  config: DataPlaneConfig,
  log: Logger,
  metrics: ProxyMetrics,
  flows?: FlowSink,
): Promise<DataPlane> {
  const serviceCIDR = formatCidr(config.serviceCidr);
  const addresses = createLoopbackAddresses({ serviceCIDR });
  if (config.proxyMode === 'userspace') {
    await removeNftablesLeftovers(serviceCIDR, log);
    const sampling = flows ? startSampleRate({ maxPerSecond: config.flowsMaxRate, log }) : undefined;
    const proxier = createProxier({
      ...(flows && sampling ? { flows: { ...flows, follow: followSampled(sampling) } } : {}),
      addresses,
      balancer: createRoundRobinBalancer(),
      metrics,
      log,
      udpIdleTimeoutMs: config.udpIdleTimeoutMs,
    });
    return { proxier, onPeriod: () => undefined, stop: () => sampling?.stop() };
  }

  const leftover = await addresses.list();
  if (leftover.length > 0) {
    await addresses.remove(leftover);
    log.info({ ips: leftover.length }, 'removed userspace-mode ClusterIPs from lo');
  }
  await prepareNodeForNftables({ serviceCIDR });
  const proxier = createNftablesProxier({
    nft: createNft({ session: true }),
    conntrack: createConntrack(),
    log,
    render: { clusterCIDR: formatCidr(config.clusterCidr) },
  });
  const source = flows
    ? startConntrackFlowSource({
        node: flows.node,
        serviceCIDR,
        lookup: proxier.programmedPort,
        record: flows.record,
        maxFlowsPerSecond: config.flowsMaxRate,
        log,
      })
    : undefined;
  return { proxier, onPeriod: proxier.requestFullSync, stop: () => source?.stop() };
}

/** Deletes the nftables mode's table and service-CIDR route; absent ones (or no nft at all) are fine. */
async function removeNftablesLeftovers(serviceCIDR: string, log: Logger): Promise<void> {
  await createNft()
    .deleteTable()
    .catch((err: unknown) => log.debug({ err }, 'no nftables table to remove'));
  await removeEventMask(createNft()).catch((err: unknown) => log.debug({ err }, 'no conntrack event mask to remove'));
  await run('ip', ['route', 'del', 'local', serviceCIDR, 'dev', 'lo', 'table', 'local']).catch(() => undefined);
}
