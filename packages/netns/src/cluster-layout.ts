/**
 * The local-mode cluster layout of CONVENTIONS.md as pure functions: names of netns and
 * links, underlay and pod addresses. Every component derives names from here so the CLI,
 * node-agent and proxy agree without talking.
 */
import { InvalidLayoutError } from './errors.js';

/** Largest node count the layout supports (node IPs are 10.250.K.(10+N), pod CIDRs 10.244.N.0/24). */
export const MAX_NODES = 200;

/** Names and addresses of one node in the layout. */
export interface NodeLayout {
  index: number;
  /** Kubernetes node name, `node-N`. */
  name: string;
  netns: string;
  /** Node's underlay address (its eth0). */
  ip: string;
  /** Peer of the node's eth0 inside the underlay netns. */
  underlayVeth: string;
  podCidr: string;
  /** Address of cbr0, the pods' default gateway. */
  gateway: string;
}

/** Names and addresses of a whole cluster. */
export interface ClusterLayout {
  cluster: string;
  subnetIndex: number;
  underlayNetns: string;
  underlayBridge: 'br0';
  /** Host end of the veth that joins the host netns to the underlay. */
  hostVeth: string;
  /** Peer of `hostVeth` inside the underlay netns. */
  hostVethPeer: 'host';
  /** Host's underlay address (NATS, apiserver). */
  hostIp: string;
  underlayCidr: string;
  nodes: NodeLayout[];
}

/** Throws InvalidLayoutError unless the name is 1–8 chars of [a-z0-9] (so `km-<name>` fits in 15). */
export function validateClusterName(cluster: string): void {
  if (!/^[a-z0-9]{1,8}$/.test(cluster)) {
    throw new InvalidLayoutError(`invalid cluster name "${cluster}": use 1-8 characters of [a-z0-9]`);
  }
}

/** Subnet index K of a cluster: 0 for `local`, else a stable FNV-1a hash of the name into 1..200. */
export function subnetIndexFor(cluster: string): number {
  if (cluster === 'local') return 0;
  let h = 0x811c9dc5;
  for (const ch of cluster) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 200) + 1;
}

/** Prefix shared by every netns of the cluster (nodes, underlay, pods). */
export function clusterNetnsPrefix(cluster: string): string {
  return `kemu-${cluster}-`;
}

/** Name of node N's netns. */
export function nodeNetnsName(cluster: string, node: number): string {
  return `kemu-${cluster}-node-${node}`;
}

/** Name of a pod's netns: the first 12 hex digits of its uid without dashes. */
export function podNetnsName(cluster: string, podUid: string): string {
  return `kemu-${cluster}-pod-${podUid.replaceAll('-', '').slice(0, 12)}`;
}

/** Name of a pod's veth end in the node netns: `v` + the first 8 hex digits of its uid. */
export function podHostVethName(podUid: string): string {
  return `v${podUid.replaceAll('-', '').slice(0, 8)}`;
}

/** Computes the layout of a cluster of `nodes` nodes with subnet index K. */
export function clusterLayout(cluster: string, nodes: number, subnetIndex: number): ClusterLayout {
  validateClusterName(cluster);
  // 0 nodes: only the underlay and the host's veth (a control plane whose nodes join later).
  if (!Number.isInteger(nodes) || nodes < 0 || nodes > MAX_NODES) {
    throw new InvalidLayoutError(`invalid node count ${nodes}: use 0-${MAX_NODES}`);
  }
  if (!Number.isInteger(subnetIndex) || subnetIndex < 0 || subnetIndex > 255) {
    throw new InvalidLayoutError(`invalid subnet index ${subnetIndex}: use 0-255`);
  }
  const base = `10.250.${subnetIndex}`;
  const nodeList: NodeLayout[] = [];
  for (let n = 1; n <= nodes; n++) {
    nodeList.push({
      index: n,
      name: `node-${n}`,
      netns: nodeNetnsName(cluster, n),
      ip: `${base}.${10 + n}`,
      underlayVeth: `n-${n}`,
      podCidr: `10.244.${n}.0/24`,
      gateway: `10.244.${n}.1`,
    });
  }
  return {
    cluster,
    subnetIndex,
    underlayNetns: `kemu-${cluster}-ul`,
    underlayBridge: 'br0',
    hostVeth: `km-${cluster}`,
    hostVethPeer: 'host',
    hostIp: `${base}.1`,
    underlayCidr: `${base}.0/24`,
    nodes: nodeList,
  };
}
