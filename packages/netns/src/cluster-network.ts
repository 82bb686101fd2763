/**
 * Builds and removes the local-mode cluster network: an underlay bridge in its own netns
 * (so the host firewall never sees node-to-node traffic), the host joined to it by one
 * veth, and one netns per node with a pod bridge and host-gw routes to the other nodes'
 * pod CIDRs. Creation is idempotent; deletion removes every netns of the cluster.
 */
import {
  clusterLayout,
  clusterNetnsPrefix,
  type ClusterLayout,
  type NodeLayout,
  validateClusterName,
} from './cluster-layout.js';
import { addNetns, deleteLink, deleteNetns, ipIn, linkExists, listNetns } from './netns.js';
import { fencePods } from './pod-fence.js';
import { run } from './run.js';

/** What `createClusterNetwork` builds. */
export interface ClusterNetworkOptions {
  cluster: string;
  nodes: number;
  subnetIndex: number;
  /** The service CIDR: when given, each node netns gets the pod fence (pod-fence.ts). */
  serviceCidr?: string;
}

/**
 * A fixed, locally administered MAC for a bridge. Without one a Linux bridge takes the
 * lowest MAC of its ports, so removing a pod's veth can change the gateway's MAC under
 * the other pods' ARP caches and black-hole their traffic for half a minute.
 */
export function bridgeMac(subnetIndex: number, nodeIndex: number): string {
  const hex = (n: number) => (n & 0xff).toString(16).padStart(2, '0');
  return `02:6b:6d:${hex(subnetIndex)}:${hex(nodeIndex >> 8)}:${hex(nodeIndex)}`;
}

async function ensureBridge(netns: string, bridge: string, mac: string, address?: string): Promise<void> {
  if (!(await linkExists(netns, bridge))) {
    await ipIn(netns, ['link', 'add', 'name', bridge, 'address', mac, 'type', 'bridge']);
  }
  await ipIn(netns, ['link', 'set', 'dev', bridge, 'address', mac]);
  if (address) await ipIn(netns, ['addr', 'replace', address, 'dev', bridge]);
  await ipIn(netns, ['link', 'set', 'dev', bridge, 'up']);
}

/** Creates a veth with `outer` in `outerNetns` and `inner` in `innerNetns` unless both ends exist. */
async function ensureVeth(
  outerNetns: string | undefined,
  outer: string,
  innerNetns: string,
  inner: string,
): Promise<void> {
  const hasOuter = await linkExists(outerNetns, outer);
  const hasInner = await linkExists(innerNetns, inner);
  if (hasOuter && hasInner) return;
  if (hasOuter) await deleteLink(outerNetns, outer);
  if (hasInner) await deleteLink(innerNetns, inner);
  await ipIn(outerNetns, ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner, 'netns', innerNetns]);
}

async function createUnderlay(l: ClusterLayout): Promise<void> {
  await addNetns(l.underlayNetns);
  await ipIn(l.underlayNetns, ['link', 'set', 'dev', 'lo', 'up']);
  await ensureBridge(l.underlayNetns, l.underlayBridge, bridgeMac(l.subnetIndex, 0));
  await ensureVeth(undefined, l.hostVeth, l.underlayNetns, l.hostVethPeer);
  await ipIn(l.underlayNetns, ['link', 'set', 'dev', l.hostVethPeer, 'master', l.underlayBridge, 'up']);
  await ipIn(undefined, ['addr', 'replace', `${l.hostIp}/24`, 'dev', l.hostVeth]);
  await ipIn(undefined, ['link', 'set', 'dev', l.hostVeth, 'up']);
}

async function createNode(l: ClusterLayout, node: NodeLayout, serviceCidr: string | undefined): Promise<void> {
  await addNetns(node.netns);
  await ipIn(node.netns, ['link', 'set', 'dev', 'lo', 'up']);
  await ensureVeth(l.underlayNetns, node.underlayVeth, node.netns, 'eth0');
  await ipIn(l.underlayNetns, ['link', 'set', 'dev', node.underlayVeth, 'master', l.underlayBridge, 'up']);
  await ipIn(node.netns, ['addr', 'replace', `${node.ip}/24`, 'dev', 'eth0']);
  await ipIn(node.netns, ['link', 'set', 'dev', 'eth0', 'up']);
  await ensureBridge(node.netns, 'cbr0', bridgeMac(l.subnetIndex, node.index), `${node.gateway}/24`);
  await run('ip', ['netns', 'exec', node.netns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  for (const other of l.nodes) {
    if (other.index === node.index) continue;
    await ipIn(node.netns, ['route', 'replace', other.podCidr, 'via', other.ip, 'dev', 'eth0']);
  }
  if (serviceCidr) await fencePods(node.netns, { podBridge: 'cbr0', underlayCidr: l.underlayCidr, serviceCidr });
}

/** Creates (or completes) the underlay, host veth and every node netns; returns the layout. */
export async function createClusterNetwork(o: ClusterNetworkOptions): Promise<ClusterLayout> {
  const layout = clusterLayout(o.cluster, o.nodes, o.subnetIndex);
  await createUnderlay(layout);
  for (const node of layout.nodes) await createNode(layout, node, o.serviceCidr);
  return layout;
}

/** Deletes every netns named `kemu-<cluster>-*` (pods, nodes, underlay, killing their processes) and the host veth. */
export async function deleteClusterNetwork(o: { cluster: string }): Promise<void> {
  validateClusterName(o.cluster);
  const prefix = clusterNetnsPrefix(o.cluster);
  const all = (await listNetns()).filter((n) => n.startsWith(prefix));
  // Pods first, then nodes, then the underlay: inner parts go before what they hang off.
  const rank = (n: string) => (n.startsWith(`${prefix}pod-`) ? 0 : n.startsWith(`${prefix}node-`) ? 1 : 2);
  all.sort((a, b) => rank(a) - rank(b));
  for (const name of all) await deleteNetns(name);
  await deleteLink(undefined, `km-${o.cluster}`);
}
