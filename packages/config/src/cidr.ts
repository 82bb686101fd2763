/**
 * CIDR variables: a pod or cluster range and the Service range, parsed by @kemu/api's one
 * CIDR module and reported as a ConfigError naming the variable. The Service range follows
 * kube-apiserver's rule and message: an IPv4 range wider than /12 is refused.
 * A subpath of @kemu/config (`@kemu/config/cidr`), so processes that need no CIDR (the
 * pod workload) do not load @kemu/api.
 */
import { type Ipv4Cidr, formatCidr, ipv4ToInt, tryParseCidr } from '@kemu/api';
import { ConfigError } from './config-error.js';
import { specBuilder, type SpecBuilder } from './var-spec.js';

export type { Ipv4Cidr } from '@kemu/api';

/** The widest Service range kube-apiserver accepts for IPv4 (a /12, 2^20 addresses). */
export const SERVICE_CIDR_MIN_PREFIX = 12;

/** The narrowest Service range: a /30 still has two usable addresses. */
export const SERVICE_CIDR_MAX_PREFIX = 30;

/** Parses a Service IP range as kube-apiserver does; throws ConfigError naming `variable`. */
export function parseServiceCidr(text: string, variable: string): Ipv4Cidr {
  const cidr = tryParseCidr(text.trim());
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
    const cidr = tryParseCidr(raw.trim());
    if (!cidr || cidr.prefixLength < (o.minPrefix ?? 0) || cidr.prefixLength > (o.maxPrefix ?? 32)) return undefined;
    return cidr;
  },
  (cidr) => formatCidr(cidr),
);

/** The Service IP range (ClusterIPs): an IPv4 CIDR /12 to /30, as kube-apiserver's --service-cluster-ip-range. */
export const serviceCidr: SpecBuilder<Ipv4Cidr> = specBuilder(
  () => `IPv4 CIDR /${SERVICE_CIDR_MIN_PREFIX}-/${SERVICE_CIDR_MAX_PREFIX}`,
  (raw, o) => parseServiceCidr(raw, o.env),
  (cidr) => formatCidr(cidr),
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
