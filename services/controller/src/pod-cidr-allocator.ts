/**
 * Pod CIDRs for nodes, as Kubernetes' nodeipam range allocator hands them out: the
 * cluster CIDR (10.244.0.0/16 by default) is cut into per-node blocks (/24); a Node
 * that registers without spec.podCIDR gets the lowest block no other Node holds. The
 * taken set is derived from the Nodes in the view each time, so a CIDR a node brought
 * along (local `kemu up` passes 10.244.N.0/24) counts as taken and a deleted Node's
 * block is free again: nothing is kept outside the event log.
 */
import { InvalidCidrError, type Ipv4Cidr, cidrSize, formatCidr, parseCidr, tryParseCidr } from '@kemu/api';

/** The cluster CIDR is used up: no block is free for another node. */
export class CidrRangeFullError extends Error {
  override name = 'CidrRangeFullError';
  readonly code = 'CidrRangeFull';
}

/** The allocator's configuration: the cluster CIDR and the per-node mask size. */
export interface PodCidrRange {
  clusterCidr: Ipv4Cidr;
  nodeMaskSize: number;
}

/** Parses and checks the range (`10.244.0.0/16`, 24); throws InvalidCidrError. */
export function podCidrRange(clusterCidr: string, nodeMaskSize = 24): PodCidrRange {
  const parsed = parseCidr(clusterCidr, { what: 'cluster CIDR' });
  if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < parsed.prefixLength || nodeMaskSize > 30)
    throw new InvalidCidrError(
      `invalid node CIDR mask size ${nodeMaskSize} for cluster CIDR ${clusterCidr}: use ${parsed.prefixLength}-30`,
    );
  return { clusterCidr: parsed, nodeMaskSize };
}

/** Index of the block `cidr` occupies within the range, or undefined when it lies outside it. */
function blockIndex(range: PodCidrRange, cidr: string): number | undefined {
  const c = tryParseCidr(cidr);
  if (!c) return undefined;
  const { clusterCidr, nodeMaskSize } = range;
  const rangeSize = cidrSize(clusterCidr);
  if (c.network < clusterCidr.network || c.network >= clusterCidr.network + rangeSize) return undefined;
  return Math.floor((c.network - clusterCidr.network) / 2 ** (32 - nodeMaskSize));
}

/**
 * The lowest block of the range that none of `taken` overlaps, as `a.b.c.d/len`.
 * A taken CIDR larger than a block marks every block it covers. Throws CidrRangeFullError.
 */
export function nextFreePodCidr(range: PodCidrRange, taken: Iterable<string>): string {
  const { clusterCidr, nodeMaskSize } = range;
  const blockSize = 2 ** (32 - nodeMaskSize);
  const blocks = 2 ** (nodeMaskSize - clusterCidr.prefixLength);
  const used = new Set<number>();
  for (const cidr of taken) {
    const first = blockIndex(range, cidr);
    const c = tryParseCidr(cidr);
    if (first === undefined || !c) continue;
    const covers = c.prefixLength < nodeMaskSize ? 2 ** (nodeMaskSize - c.prefixLength) : 1;
    for (let i = 0; i < covers; i++) used.add(first + i);
  }
  for (let i = 0; i < blocks; i++) {
    if (!used.has(i)) return formatCidr({ network: clusterCidr.network + i * blockSize, prefixLength: nodeMaskSize });
  }
  throw new CidrRangeFullError(`no pod CIDR free in ${formatCidr(clusterCidr)} (/${nodeMaskSize} per node)`);
}
