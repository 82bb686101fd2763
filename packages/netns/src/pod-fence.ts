/**
 * The fence between a node's pods and the control plane, as nftables rules in the node's
 * own netns (never the host's tables): a connection a pod opens (it arrives on the pod
 * bridge) to the node itself or to an address of the underlay (NATS, the apiserver's own
 * address, other nodes' node-agents, proxies' debug endpoints) is dropped, except DNS
 * (53) and NodePorts, which pods may use as on real clusters. What stays open: ClusterIPs
 * (the `kubernetes` Service is how a pod reaches the apiserver), other pods, answers to
 * connections the node opened (probes, proxied traffic), ICMP.
 * The rules match the address the pod asked for (`ct original ip daddr`), not the one
 * after the node's DNAT: in the proxy's nftables mode a connection to the `kubernetes`
 * Service is translated in the node netns to the apiserver's own address on the underlay
 * and must pass, while the same address asked for directly is dropped. The same rules
 * serve local, joined and compose nodes (there the compose network is the underlay).
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

/** The nftables script (for `nft -f -`) that (re)creates the fence. */
export function podFenceRuleset(o: PodFenceOptions): string {
  const br = JSON.stringify(o.podBridge);
  const open = [
    `    meta l4proto { tcp, udp } th dport ${FENCE_OPEN_PORTS.dns} accept`,
    `    meta l4proto { tcp, udp } th dport ${FENCE_OPEN_PORTS.nodePorts} accept`,
    '    meta l4proto icmp accept',
    '    counter drop',
  ];
  return [
    `add table inet ${POD_FENCE_TABLE}`,
    `delete table inet ${POD_FENCE_TABLE}`,
    `table inet ${POD_FENCE_TABLE} {`,
    '  chain pod_new {',
    ...open,
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    `    iifname ${br} ct state established,related accept`,
    `    iifname ${br} ct original ip daddr ${o.serviceCidr} accept`,
    `    iifname ${br} jump pod_new`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    `    iifname ${br} ct original ip daddr ${o.underlayCidr} ct state new jump pod_new`,
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
