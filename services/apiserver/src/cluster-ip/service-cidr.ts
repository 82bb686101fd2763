/**
 * The Service IP range and how ClusterIPs are picked from it, as the Kubernetes
 * allocator does (KUBERNETES.md §3.1): never the network or broadcast address; dynamic
 * picks are random in the upper band above min(max(16, size/16), 256), falling back to
 * the lower band, which is kept for requested IPs; the first address (the `kubernetes`
 * Service) and the tenth (`kube-dns`) are reserved for those Services.
 */
import { type Ipv4Cidr, cidrAddress, cidrSize, ipv4ToInt } from '@kemu/api';

/** Where the upper (dynamic) band starts, as an offset from the network address. */
export function rangeOffset(size: number): number {
  if (size <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 16)), 256);
}

/** True when `ip` is a usable address of the range (not the network or broadcast address). */
export function inRange(cidr: Ipv4Cidr, ip: string): boolean {
  const n = ipv4ToInt(ip);
  if (n === undefined) return false;
  const off = n - cidr.network;
  return off > 0 && off < cidrSize(cidr) - 1;
}

/** The reserved addresses: the first usable (`default/kubernetes`) and the tenth (`kube-system/kube-dns`). */
export function reservedIps(cidr: Ipv4Cidr): Map<string, string> {
  return new Map([
    [cidrAddress(cidr, 1), 'default/kubernetes'],
    [cidrAddress(cidr, 10), 'kube-system/kube-dns'],
  ]);
}

/**
 * Picks a free address for a dynamic allocation: random probes in the upper band, then a
 * scan of it from a random start, then the lower band; reserved addresses are skipped.
 * Returns undefined when the range is full.
 */
export function pickDynamicIp(
  cidr: Ipv4Cidr,
  isTaken: (ip: string) => boolean,
  random: () => number = Math.random,
): string | undefined {
  const reserved = reservedIps(cidr);
  const free = (off: number) => {
    const ip = cidrAddress(cidr, off);
    return !reserved.has(ip) && !isTaken(ip) ? ip : undefined;
  };
  const first = 1;
  const last = cidrSize(cidr) - 2;
  const offset = Math.max(rangeOffset(cidrSize(cidr)), first);
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
