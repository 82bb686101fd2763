/**
 * Hollow pods have IPs but no network: in every real node netns, each hollow node's pod
 * CIDR gets an `unreachable` route, so a connection to a hollow pod (a proxy picking a
 * hollow endpoint) fails at once with EHOSTUNREACH inside the node and nothing leaves
 * the machine. Real node-agents route no hollow node (pod-routes.ts), so the routes stay.
 */
import type { HollowNodeLayout } from '@kemu/kubelet';
import { type NodeLayout, ipBatch } from '@kemu/netns';

/** The `ip -batch` lines that make every hollow pod CIDR unreachable. */
export function hollowRouteCommands(hollow: readonly HollowNodeLayout[]): string[][] {
  return hollow.map((h) => ['route', 'replace', 'unreachable', h.podCIDR]);
}

/** Adds the unreachable routes of the hollow nodes' pod CIDRs in each real node's netns. */
export async function addHollowRoutes(
  nodes: readonly NodeLayout[],
  hollow: readonly HollowNodeLayout[],
): Promise<void> {
  if (hollow.length === 0) return;
  const commands = hollowRouteCommands(hollow);
  for (const node of nodes) await ipBatch(node.netns, commands);
}
