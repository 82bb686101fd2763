/**
 * The kubelet's node lease object (`kube-node-lease/<node>`, coordination.k8s.io/v1), as
 * pure functions shared by the node-agent and the hollow node-agent.
 */
import type { Lease, Node } from '@kemu/api';
import { randomUUID } from 'node:crypto';

/** The kubelet's lease duration. */
export const NODE_LEASE_DURATION_SECONDS = 40;

/** metav1.MicroTime: RFC 3339 in UTC with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The lease of `node` renewed at `nowMs`, keeping what the existing one had. */
export function renewedLease(
  existing: Lease | undefined,
  nodeName: string,
  owner: Node | undefined,
  nowMs: number,
): Lease {
  const metadata = existing ? { ...existing.metadata } : { name: nodeName, namespace: 'kube-node-lease' };
  delete metadata.resourceVersion;
  if (owner?.metadata.uid) {
    metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: owner.metadata.uid }];
  }
  if (!metadata.uid) metadata.uid = randomUUID();
  if (!metadata.creationTimestamp) metadata.creationTimestamp = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata,
    spec: {
      ...existing?.spec,
      holderIdentity: nodeName,
      leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS,
      renewTime: microTime(nowMs),
    },
  };
}
