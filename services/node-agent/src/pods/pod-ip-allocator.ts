/**
 * Pod IPs from the node's pod CIDR, host-local IPAM style: the next free address after
 * the last one handed out (wrapping), so a just-freed IP is not reused at once while
 * proxies may still hold connections to it. The network (.0), the gateway (.1, cbr0)
 * and the broadcast address are never handed out.
 */
import { intToIpv4, ipv4ToInt } from '@kemu/api';

/** A parsed IPv4 CIDR. */
export interface Cidr {
  network: number;
  prefixLength: number;
}

/** A CIDR that cannot be used for pods. */
export class InvalidCidrError extends Error {
  override name = 'InvalidCidrError';
  readonly code = 'InvalidCidr';
}

/** IPv4 dotted quad → unsigned 32-bit integer. */
export function ipToInt(ip: string): number {
  const n = ipv4ToInt(ip);
  if (n === undefined) throw new InvalidCidrError(`invalid IPv4 address "${ip}"`);
  return n;
}

/** Unsigned 32-bit integer → IPv4 dotted quad. */
export const intToIp = intToIpv4;

/** Parses `10.244.1.0/24` (host bits are cleared). */
export function parseCidr(cidr: string): Cidr {
  const [ip, len] = cidr.split('/');
  const prefixLength = Number(len);
  if (!ip || !Number.isInteger(prefixLength) || prefixLength < 8 || prefixLength > 30) {
    throw new InvalidCidrError(`invalid pod CIDR "${cidr}"`);
  }
  const size = 2 ** (32 - prefixLength);
  return { network: ipToInt(ip) - (ipToInt(ip) % size), prefixLength };
}

/** The gateway (bridge) address of a pod CIDR: its first host address. */
export function gatewayOf(cidr: Cidr): string {
  return intToIp(cidr.network + 1);
}

/** Picks the next free pod IP after `last` (or from the start); undefined when the range is full. */
export function allocatePodIP(cidr: Cidr, inUse: ReadonlySet<string>, last?: string): string | undefined {
  const first = cidr.network + 2;
  const end = cidr.network + 2 ** (32 - cidr.prefixLength) - 2;
  const count = end - first + 1;
  let start = 0;
  if (last !== undefined) {
    const l = ipToInt(last);
    if (l >= first && l <= end) start = l - first + 1;
  }
  for (let i = 0; i < count; i++) {
    const ip = intToIp(first + ((start + i) % count));
    if (!inUse.has(ip)) return ip;
  }
  return undefined;
}
