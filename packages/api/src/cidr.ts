/**
 * IPv4 CIDRs: the one parser every component uses (the Service range, the cluster and
 * node pod CIDRs, node addresses). A CIDR is held as its network address (host bits
 * cleared, as Go's `net.ParseCIDR` returns it) and prefix length; bounds a use puts on
 * the prefix (a Service range of /12 or longer, a pod CIDR of /8 to /30) are checked
 * here too, so a bad value is reported once, with what it was meant to be.
 */
import { intToIpv4, ipv4ToInt } from './ipv4.js';

/** A parsed IPv4 CIDR. */
export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit integer, host bits cleared. */
  network: number;
  prefixLength: number;
}

/** A CIDR that cannot be parsed or whose prefix length is outside what its use allows. */
export class InvalidCidrError extends Error {
  override name = 'InvalidCidrError';
  readonly code = 'InvalidCidr';
}

/** What a CIDR is for (named in errors) and the prefix lengths that use accepts. */
export interface CidrBounds {
  /** Named in the error, e.g. `pod CIDR`; `IPv4 CIDR` by default. */
  what?: string;
  minPrefix?: number;
  maxPrefix?: number;
}

/** Parses `a.b.c.d/len` (host bits are cleared); undefined when it is not an IPv4 CIDR. */
export function tryParseCidr(text: string): Ipv4Cidr | undefined {
  const [ip, len, extra] = text.split('/');
  if (ip === undefined || len === undefined || extra !== undefined || !/^\d{1,2}$/.test(len)) return undefined;
  const n = ipv4ToInt(ip);
  const prefixLength = Number(len);
  if (n === undefined || prefixLength > 32) return undefined;
  const size = 2 ** (32 - prefixLength);
  return { network: n - (n % size), prefixLength };
}

/** Parses `a.b.c.d/len` and checks its prefix against `bounds`; throws InvalidCidrError. */
export function parseCidr(text: string, bounds: CidrBounds = {}): Ipv4Cidr {
  const { what = 'IPv4 CIDR', minPrefix = 0, maxPrefix = 32 } = bounds;
  const cidr = tryParseCidr(text);
  if (!cidr)
    throw new InvalidCidrError(`invalid ${what} ${JSON.stringify(text)}: expected an IPv4 CIDR such as 10.0.0.0/16`);
  if (cidr.prefixLength < minPrefix || cidr.prefixLength > maxPrefix)
    throw new InvalidCidrError(
      `invalid ${what} ${JSON.stringify(text)}: the prefix length must be between ${minPrefix} and ${maxPrefix}`,
    );
  return cidr;
}

/**
 * Parses the Service IP range as kube-apiserver's `--service-cluster-ip-range`: at most
 * 2^20 addresses (a /12), at least four (a /30), with kube-apiserver's message for a
 * range that is too large.
 */
export function parseServiceCidr(text: string): Ipv4Cidr {
  const cidr = parseCidr(text, { what: 'service CIDR', maxPrefix: 30 });
  if (cidr.prefixLength < 12)
    throw new InvalidCidrError(
      'specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12',
    );
  return cidr;
}

/** Formats a CIDR as `a.b.c.d/len`. */
export function formatCidr(cidr: Ipv4Cidr): string {
  return `${intToIpv4(cidr.network)}/${cidr.prefixLength}`;
}

/** Number of addresses in the CIDR, network and broadcast included. */
export function cidrSize(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefixLength);
}

/** The address `offset` places after the network address (1 is the first host, the pod gateway). */
export function cidrAddress(cidr: Ipv4Cidr, offset: number): string {
  return intToIpv4(cidr.network + offset);
}

/** Whether the dotted quad `ip` lies in the CIDR (network and broadcast included). */
export function cidrContains(cidr: Ipv4Cidr, ip: string): boolean {
  const n = ipv4ToInt(ip);
  return n !== undefined && n >= cidr.network && n < cidr.network + cidrSize(cidr);
}
