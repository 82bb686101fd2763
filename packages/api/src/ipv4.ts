/** IPv4 addresses as unsigned 32-bit integers, for CIDR arithmetic (ClusterIPs, pod CIDRs, node addresses). */

/** Dotted quad → unsigned 32-bit integer; undefined when it is not one (leading zeros are refused, as Go's netip does). */
export function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/** Unsigned 32-bit integer → dotted quad. */
export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
