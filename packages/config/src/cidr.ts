/**
 * CIDR variables: a pod or cluster range and the Service range. The one place where
 * configuration parses CIDRs, built on @kemu/api's IPv4 integers, so a later shared CIDR
 * module replaces `parseIpv4Cidr` here and nowhere else. The Service range follows
 * kube-apiserver's rule and message: an IPv4 range wider than /12 is refused.
 * A subpath of @kemu/config (`@kemu/config/cidr`), so processes that need no CIDR (the
 * pod workload) do not load @kemu/api.
 */
import { intToIpv4, ipv4ToInt } from '@kemu/api';
import { ConfigError } from './config-error.js';
import { specBuilder, type SpecBuilder } from './var-spec.js';

/** A parsed IPv4 CIDR, host bits cleared. */
export interface Ipv4Cidr {
  /** Normalised text, e.g. `10.96.0.0/12`. */
  text: string;
  /** The network address as an unsigned 32-bit number. */
  network: number;
  prefixLength: number;
  /** Number of addresses, network and broadcast included. */
  size: number;
}

/** Parses `a.b.c.d/n` (host bits cleared); undefined when it is not an IPv4 CIDR. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const addr = ipv4ToInt(m[1]!);
  const prefixLength = Number(m[2]);
  if (addr === undefined || prefixLength > 32) return undefined;
  const size = 2 ** (32 - prefixLength);
  const network = addr - (addr % size);
  return { text: `${intToIpv4(network)}/${prefixLength}`, network, prefixLength, size };
}

/** The widest Service range kube-apiserver accepts for IPv4 (a /12, 2^20 addresses). */
export const SERVICE_CIDR_MIN_PREFIX = 12;

/** The narrowest Service range: a /30 still has two usable addresses. */
export const SERVICE_CIDR_MAX_PREFIX = 30;

/** Parses a Service IP range as kube-apiserver does; throws ConfigError naming `variable`. */
export function parseServiceCidr(text: string, variable: string): Ipv4Cidr {
  const cidr = parseIpv4Cidr(text);
  if (!cidr)
    throw new ConfigError(
      variable,
      `${variable} must be an IPv4 CIDR such as 10.96.0.0/12, got ${JSON.stringify(text)}`,
    );
  if (cidr.prefixLength < SERVICE_CIDR_MIN_PREFIX)
    throw new ConfigError(
      variable,
      `specified ${variable} is too large; for 32-bit addresses, the mask must be >= ${SERVICE_CIDR_MIN_PREFIX}`,
    );
  if (cidr.prefixLength > SERVICE_CIDR_MAX_PREFIX)
    throw new ConfigError(
      variable,
      `specified ${variable} is too small; for 32-bit addresses, the mask must be <= ${SERVICE_CIDR_MAX_PREFIX}`,
    );
  return cidr;
}

/** Prefix bounds of a CIDR variable. */
export interface CidrOptions {
  minPrefix?: number;
  maxPrefix?: number;
}

/** An IPv4 CIDR (a pod or cluster range), optionally with bounds on its prefix length. */
export const ipv4Cidr: SpecBuilder<Ipv4Cidr, CidrOptions> = specBuilder(
  (o) => `IPv4 CIDR /${o.minPrefix ?? 0}-/${o.maxPrefix ?? 32}`,
  (raw, o) => {
    const cidr = parseIpv4Cidr(raw);
    if (!cidr || cidr.prefixLength < (o.minPrefix ?? 0) || cidr.prefixLength > (o.maxPrefix ?? 32)) return undefined;
    return cidr;
  },
  (cidr) => cidr.text,
);

/** The Service IP range (ClusterIPs): an IPv4 CIDR /12 to /30, as kube-apiserver's --service-cluster-ip-range. */
export const serviceCidr: SpecBuilder<Ipv4Cidr> = specBuilder(
  () => `IPv4 CIDR /${SERVICE_CIDR_MIN_PREFIX}-/${SERVICE_CIDR_MAX_PREFIX}`,
  (raw, o) => parseServiceCidr(raw, o.env),
  (cidr) => cidr.text,
);

/** The default Service range of Kubernetes and kemu. */
export const DEFAULT_SERVICE_CIDR: Ipv4Cidr = parseServiceCidr('10.96.0.0/12', 'KEMU_SERVICE_CIDR');

/** A dotted IPv4 address. */
export const ipv4Address: SpecBuilder<string> = specBuilder(
  () => 'IPv4 address',
  (raw) => (ipv4ToInt(raw.trim()) !== undefined ? raw.trim() : undefined),
);

/** KEMU_SERVICE_CIDR, read the same way by every component. */
export const serviceCidrVar = serviceCidr({
  env: 'KEMU_SERVICE_CIDR',
  default: DEFAULT_SERVICE_CIDR,
  meaning: "The Service IP range (ClusterIPs), as kube-apiserver's --service-cluster-ip-range",
});

/** KEMU_NODE_IP of a node whose node-agent registers it (required). */
export const nodeIpRequired = ipv4Address({
  env: 'KEMU_NODE_IP',
  required: true,
  meaning: "The node's address (InternalIP; where its proxy, dns and pod logs listen)",
});

/** KEMU_NODE_IP where a component can run without it (nothing published then). */
export const nodeIpOptional = ipv4Address({
  env: 'KEMU_NODE_IP',
  meaning: "The node's address (InternalIP; where its proxy, dns and pod logs listen)",
});
