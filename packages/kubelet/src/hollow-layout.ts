/**
 * Where hollow nodes sit, agreed on by the hollow node-agent, the CLI and chaos without
 * talking: their names, their pod CIDRs (the last /24 blocks of the cluster CIDR, from the
 * top down, so they never meet the real nodes' blocks of the local layout, which count up
 * from .1, nor what the node IPAM hands out from the bottom), their InternalIP, and the
 * file that stops one (a killed hollow node, see `kemu chaos`).
 */
import { type Ipv4Cidr, formatCidr } from '@kemu/api';
import { join } from 'node:path';

/** A hollow node's name and pod CIDR. */
export interface HollowNodeLayout {
  name: string;
  podCIDR: string;
}

/** Size of a node's pod CIDR block (/24). */
const BLOCK = 256;

/**
 * A hollow node's InternalIP: loopback, which no route may point at (`ip route … via
 * 127.0.0.1` is refused), so no node ever routes a hollow pod CIDR anywhere, and a
 * connection to its kubelet port is refused at once on the machine itself.
 */
export const HOLLOW_NODE_IP = '127.0.0.1';

/** The hollow nodes `<prefix>-1 … <prefix>-count` with their pod CIDRs (/24s from the top of `clusterCidr`). */
export function hollowNodeLayout(prefix: string, count: number, clusterCidr: Ipv4Cidr): HollowNodeLayout[] {
  const blocks = Math.floor(2 ** (32 - clusterCidr.prefixLength) / BLOCK);
  if (!Number.isInteger(count) || count < 0 || count >= blocks) {
    throw new RangeError(`${count} hollow nodes do not fit in ${formatCidr(clusterCidr)} (at most ${blocks - 1})`);
  }
  const top = clusterCidr.network + blocks * BLOCK;
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${i + 1}`,
    podCIDR: formatCidr({ network: top - (i + 1) * BLOCK, prefixLength: 24 }),
  }));
}

/** The file whose presence stops a hollow node (no heartbeat, no lease, no pod status), as a killed node. */
export function hollowStopFile(stateDir: string, node: string): string {
  return join(stateDir, 'hollow', 'stopped', node);
}
