/**
 * The proxy modes the Service and DNS suites run against (`describe.each(PROXY_MODES)`),
 * and the behaviours that differ between them as they differ in Kubernetes: the
 * userspace proxier walks endpoints round robin and dials them itself, so an endpoint
 * sees the node's address; kube-proxy's nftables mode picks an endpoint at random
 * (`numgen random`) per connection and only DNATs, so an endpoint sees the client pod.
 */
import { expect } from 'vitest';
import type { WorkloadReply } from './kemu-cluster.js';

/** kemu's proxy modes, userspace (the default) first. */
export const PROXY_MODES = ['userspace', 'nftables'] as const;
/** One of PROXY_MODES. */
export type ProxyMode = (typeof PROXY_MODES)[number];

/** Asserts how `replies` spread over `pods`: exactly evenly in userspace mode, at random in nftables mode. */
export function expectSpread(mode: ProxyMode, replies: readonly WorkloadReply[], pods: readonly string[]): void {
  const counts = new Map(pods.map((p) => [p, 0]));
  for (const r of replies) counts.set(r.pod, (counts.get(r.pod) ?? 0) + 1);
  expect([...counts.keys()].sort()).toEqual([...pods].sort());
  if (mode === 'userspace') {
    for (const n of counts.values()) expect(n).toBe(replies.length / pods.length);
    return;
  }
  // Random choice: every pod gets its share give or take (for 60 requests over 3 pods a pod
  // below 5 has probability < 1e-4), and some request goes to the pod of the one before it,
  // which round robin never does (for 60 random picks, all different from their
  // predecessor has probability (2/3)^59 < 1e-10).
  for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(Math.floor(replies.length / pods.length / 4));
  expect(replies.some((r, i) => i > 0 && replies[i - 1]?.pod === r.pod)).toBe(true);
}

/** Asserts whose address the endpoint saw: the client pod's own in nftables mode, a node's in userspace mode. */
export function expectClientAddress(mode: ProxyMode, replies: readonly WorkloadReply[], clientPodIP: string): void {
  const fromClient = replies.filter((r) => r.client.split(':')[0] === clientPodIP).length;
  expect(fromClient).toBe(mode === 'nftables' ? replies.length : 0);
}
