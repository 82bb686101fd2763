/**
 * The fence between a node's pods and the control plane, as nftables rules in the node's
 * own netns (never the host's tables): a TCP connection a pod opens (its SYN arrives on
 * the pod bridge) to the node itself or to an address of the underlay (NATS, the
 * apiserver's own address, other nodes' node-agents, proxies' debug endpoints) is
 * dropped, except DNS (53) and NodePorts, which pods may use as on real clusters. What
 * stays open: ClusterIPs (the `kubernetes` Service is how a pod reaches the apiserver),
 * other pods, answers to connections the node opened (probes, proxied traffic), ICMP, UDP
 * (no control-plane component listens on UDP but DNS).
 *
 * Stateless on purpose: a `ct` match would switch connection tracking on in a node netns
 * that has none (the userspace proxy mode), and tracking every connection cost 9 % of the
 * new-connection rate through the userspace proxy here. The rules look at SYN packets in
 * prerouting, before kube-proxy's DNAT (nftables mode), so they judge the address the pod
 * asked for: a connection to 10.96.0.1 that the node DNATs to the apiserver's underlay
 * address passes, one opened to that address directly does not.
 * Applying the rules replaces the table, so a repeat is harmless.
 */
import { run } from './run.js';

/** Name of the nftables table (family inet) holding the fence. */
export const POD_FENCE_TABLE = 'kemu_fence';

/** Ports a pod may still open on the node and the underlay: DNS and the NodePort range. */
export const FENCE_OPEN_PORTS = { dns: 53, nodePorts: '30000-32767' } as const;

/** What the fence guards. */
export interface PodFenceOptions {
  /** The pods' bridge in the node netns (local and joined nodes: `cbr0`). */
  podBridge: string;
  /** The subnet of the node's underlay (where NATS, the apiserver's host and the other nodes are). */
  underlayCidr: string;
  /** The service CIDR: ClusterIPs are local addresses of the node netns, and stay reachable. */
  serviceCidr: string;
}

/** Priority of the fence's prerouting chain: after conntrack (-200), before DNAT (dstnat, -100). */
const BEFORE_DNAT = -150;

/** The nftables script (for `nft -f -`) that (re)creates the fence. */
export function podFenceRuleset(o: PodFenceOptions): string {
  const br = JSON.stringify(o.podBridge);
  const syn = `iifname ${br} tcp flags & (syn | ack) == syn`;
  return [
    `add table inet ${POD_FENCE_TABLE}`,
    `delete table inet ${POD_FENCE_TABLE}`,
    `table inet ${POD_FENCE_TABLE} {`,
    '  chain pod_new {',
    `    tcp dport ${FENCE_OPEN_PORTS.dns} accept`,
    `    tcp dport ${FENCE_OPEN_PORTS.nodePorts} accept`,
    '    counter drop',
    '  }',
    '  chain prerouting {',
    `    type filter hook prerouting priority ${BEFORE_DNAT}; policy accept;`,
    `    ${syn} ip daddr ${o.serviceCidr} accept`,
    `    ${syn} ip daddr ${o.underlayCidr} jump pod_new`,
    `    ${syn} fib daddr type local jump pod_new`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Installs (or replaces) the fence in `netns`. */
export async function fencePods(netns: string, o: PodFenceOptions): Promise<void> {
  await run('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], { input: podFenceRuleset(o) });
}

/** The subnet of an address with prefix: `10.250.3.40/24` → `10.250.3.0/24`. */
export function subnetOf(addressWithPrefix: string): string {
  const [ip = '', prefixText = '32'] = addressWithPrefix.split('/');
  const prefix = Number(prefixText);
  const n = ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 0xff).join('.')}/${prefix}`;
}
