/**
 * The Service IP range and how ClusterIPs are picked from it, as the Kubernetes
 * allocator does (KUBERNETES.md §3.1): never the network or broadcast address; dynamic
 * picks are random in the upper band above min(max(16, size/16), 256), falling back to
 * the lower band, which is kept for requested IPs; the first address (the `kubernetes`
 * Service) and the tenth (`kube-dns`) are reserved for those Services.
 */

/** An IPv4 CIDR. */
export interface ServiceCidr {
  text: string;
  /** The network address as an unsigned 32-bit number. */
  base: number;
  /** Number of addresses, network and broadcast included. */
  size: number;
}

/** A CIDR that cannot be parsed. */
export class InvalidCidrError extends Error {
  override name = 'InvalidCidrError';
  readonly code = 'InvalidCidr';
  constructor(text: string) {
    super(`invalid IPv4 CIDR ${JSON.stringify(text)}`);
  }
}

/** Parses a dotted IPv4 address; undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o, i) => o > 255 || ((m[i + 1]?.length ?? 0) > 1 && m[i + 1]?.startsWith('0')))) return undefined;
  return ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
}

/** Formats an unsigned 32-bit number as a dotted IPv4 address. */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses `10.96.0.0/12`. */
export function parseCidr(text: string): ServiceCidr {
  const [ip, bits] = text.split('/');
  const addr = ip === undefined ? undefined : parseIpv4(ip);
  const prefix = Number(bits);
  if (addr === undefined || !Number.isInteger(prefix) || prefix < 1 || prefix > 30) throw new InvalidCidrError(text);
  const size = 2 ** (32 - prefix);
  const base = addr - (addr % size);
  return { text: `${formatIpv4(base)}/${prefix}`, base, size };
}

/** Where the upper (dynamic) band starts, as an offset from the network address. */
export function rangeOffset(size: number): number {
  if (size <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 16)), 256);
}

/** True when `ip` is a usable address of the range (not the network or broadcast address). */
export function inRange(cidr: ServiceCidr, ip: string): boolean {
  const n = parseIpv4(ip);
  if (n === undefined) return false;
  const off = n - cidr.base;
  return off > 0 && off < cidr.size - 1;
}

/** The reserved addresses: the first usable (`default/kubernetes`) and the tenth (`kube-system/kube-dns`). */
export function reservedIps(cidr: ServiceCidr): Map<string, string> {
  return new Map([
    [formatIpv4(cidr.base + 1), 'default/kubernetes'],
    [formatIpv4(cidr.base + 10), 'kube-system/kube-dns'],
  ]);
}

/**
 * Picks a free address for a dynamic allocation: random probes in the upper band, then a
 * scan of it from a random start, then the lower band; reserved addresses are skipped.
 * Returns undefined when the range is full.
 */
export function pickDynamicIp(
  cidr: ServiceCidr,
  isTaken: (ip: string) => boolean,
  random: () => number = Math.random,
): string | undefined {
  const reserved = reservedIps(cidr);
  const free = (off: number) => {
    const ip = formatIpv4(cidr.base + off);
    return !reserved.has(ip) && !isTaken(ip) ? ip : undefined;
  };
  const first = 1;
  const last = cidr.size - 2;
  const offset = Math.max(rangeOffset(cidr.size), first);
  const bands: [number, number][] =
    offset > first
      ? [
          [offset, last],
          [first, offset - 1],
        ]
      : [[first, last]];
  for (const [lo, hi] of bands) {
    const count = hi - lo + 1;
    if (count <= 0) continue;
    for (let i = 0; i < 32; i++) {
      const ip = free(lo + Math.floor(random() * count));
      if (ip) return ip;
    }
    const start = Math.floor(random() * count);
    for (let i = 0; i < count; i++) {
      const ip = free(lo + ((start + i) % count));
      if (ip) return ip;
    }
  }
  return undefined;
}
