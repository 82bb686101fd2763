/**
 * Prepares a node's network namespace for the nftables proxier. Bridged pod-to-pod
 * replies must pass netfilter, or a reply from an endpoint on the same bridge as its
 * client would skip conntrack and reach the client un-DNATed (kube-proxy requires
 * br_netfilter for the same reason). Conntrack accounting and timestamps give the flow
 * records their bytes and durations. The service CIDR is made local to the node netns,
 * as IPVS mode binds ClusterIPs to kube-ipvs0: a packet to a ClusterIP that no rule
 * DNATs (no endpoints, unknown port, unallocated address) is delivered to the node and
 * answered there (reject, RST) instead of following a route out of the namespace.
 */
import { run } from '@kemu/netns';

/** The sysctls the nftables mode needs in a node netns, with their values. */
export const NODE_SYSCTLS: Readonly<Record<string, string>> = {
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.ipv4.ip_forward': '1',
  'net.netfilter.nf_conntrack_acct': '1',
  'net.netfilter.nf_conntrack_timestamp': '1',
};

/** Where and what to prepare. */
export interface NodeSetupOptions {
  /** Named netns to enter with `ip netns exec`; absent means the current one. */
  netns?: string;
  serviceCIDR: string;
}

/** Sets the sysctls and the local route for the service CIDR; idempotent. */
export async function prepareNodeForNftables(options: NodeSetupOptions): Promise<void> {
  const inNetns = (cmd: string, args: string[]) =>
    options.netns ? run('ip', ['netns', 'exec', options.netns, cmd, ...args]) : run(cmd, args);
  for (const [key, value] of Object.entries(NODE_SYSCTLS)) await inNetns('sysctl', ['-q', '-w', `${key}=${value}`]);
  await inNetns('ip', ['route', 'replace', 'local', options.serviceCIDR, 'dev', 'lo', 'table', 'local']);
}
