/**
 * Pod IPs from the node's pod CIDR, host-local IPAM style: the next free address after
 * the last one handed out (wrapping), so a just-freed IP is not reused at once while
 * proxies may still hold connections to it. The network (.0), the gateway (.1, cbr0)
 * and the broadcast address are never handed out.
 */
import { type Ipv4Cidr, cidrAddress, cidrSize, intToIpv4, ipv4ToInt, parseCidr } from '@kemu/api';

/** Parses the node's pod CIDR (`10.244.1.0/24`, /8 to /30); throws InvalidCidrError. */
export function parsePodCidr(text: string): Ipv4Cidr {
  return parseCidr(text, { what: 'pod CIDR', minPrefix: 8, maxPrefix: 30 });
}

/** The gateway (bridge) address of a pod CIDR: its first host address. */
export function gatewayOf(cidr: Ipv4Cidr): string {
  return cidrAddress(cidr, 1);
}

/** Picks the next free pod IP after `last` (or from the start); undefined when the range is full. */
export function allocatePodIP(cidr: Ipv4Cidr, inUse: ReadonlySet<string>, last?: string): string | undefined {
  const first = cidr.network + 2;
  const end = cidr.network + cidrSize(cidr) - 2;
  const count = end - first + 1;
  let start = 0;
  if (last !== undefined) {
    const l = ipv4ToInt(last);
    if (l !== undefined && l >= first && l <= end) start = l - first + 1;
  }
  for (let i = 0; i < count; i++) {
    const ip = intToIpv4(first + ((start + i) % count));
    if (!inUse.has(ip)) return ip;
  }
  return undefined;
}
