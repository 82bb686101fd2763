/**
 * Names of the nftables objects, exactly as kube-proxy's nftables mode forms them, so a
 * user who knows kube-proxy can read `nft list ruleset`: a service port's chain is
 * `service-<HASH>-<namespace>/<name>/<protocol>/<portName>` and an endpoint's chain is
 * `endpoint-<HASH>-<namespace>/<name>/<protocol>/<portName>__<ip>/<port>`, where HASH is
 * the first 8 characters of the base32 SHA-256 of the rest. The hash keeps names unique
 * when they are truncated and makes near-identical endpoint chains easy to tell apart.
 */
import { createHash } from 'node:crypto';

/** nftables' longest object name (NFT_NAME_MAXLEN - 1). */
const NAME_LENGTH_MAX = 256;
/** Longest prefix kube-proxy puts before a name base ("endpoint-", "affinity-"), hyphen included. */
const PREFIX_LENGTH_MAX = 16;
const BASE_LENGTH_MAX = NAME_LENGTH_MAX - PREFIX_LENGTH_MAX;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of the first bytes of `data`, enough for `chars` characters. */
function base32(data: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
      if (out.length === chars) return out;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** `name` prefixed with 8 characters of its hash and cut to the longest base (kube-proxy's hashAndTruncate). */
export function hashAndTruncate(name: string): string {
  const hashed = `${base32(createHash('sha256').update(name).digest(), 8)}-${name}`;
  return hashed.length > BASE_LENGTH_MAX ? `${hashed.slice(0, BASE_LENGTH_MAX - 3)}...` : hashed;
}

/** The parts of a ServicePortName kube-proxy puts in chain names. */
export interface ServicePortRef {
  namespace: string;
  name: string;
  /** The port's name; empty for an unnamed port. */
  portName: string;
  protocol: 'TCP' | 'UDP';
}

/** The port name inside a ServicePortName string (`ns/name:port`, or `ns/name` when unnamed). */
export function portNameOf(servicePort: string): string {
  const colon = servicePort.indexOf(':');
  return colon < 0 ? '' : servicePort.slice(colon + 1);
}

function serviceBase(ref: ServicePortRef): string {
  return `${ref.namespace}/${ref.name}/${ref.protocol.toLowerCase()}/${ref.portName}`;
}

/** The chain that picks an endpoint for a service port (`service-…`). */
export function serviceChainName(ref: ServicePortRef): string {
  return `service-${hashAndTruncate(serviceBase(ref))}`;
}

function endpointBase(ref: ServicePortRef, endpoint: string): string {
  const colon = endpoint.lastIndexOf(':');
  return `${serviceBase(ref)}__${endpoint.slice(0, colon)}/${endpoint.slice(colon + 1)}`;
}

/** The chain that DNATs to one endpoint of a service port (`endpoint-…`). */
export function endpointChainName(ref: ServicePortRef, endpoint: string): string {
  return `endpoint-${hashAndTruncate(endpointBase(ref, endpoint))}`;
}

/** The timed set of client IPs stuck to one endpoint (`affinity-…`). */
export function affinitySetName(ref: ServicePortRef, endpoint: string): string {
  return `affinity-${hashAndTruncate(endpointBase(ref, endpoint))}`;
}

/** True for the chains a sync creates per service port or endpoint (their names hold a `/`). */
export function isServiceChainName(chain: string): boolean {
  return chain.includes('/');
}

/** True for the per-endpoint affinity sets. */
export function isAffinitySetName(set: string): boolean {
  return set.startsWith('affinity-');
}
