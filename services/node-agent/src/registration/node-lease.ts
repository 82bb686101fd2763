/**
 * The kubelet's node lease: `kube-node-lease/<node>` (coordination.k8s.io/v1), held by
 * the node, owned by its Node object, created at start and renewed every period (the
 * kubelet renews every 10 s, a quarter of the 40 s lease duration). kubectl describe
 * node shows it under `Lease:`. A failed renewal is logged and tried again next period.
 */
import type { Lease, Node, TypedKey } from '@kemu/api';
import { getObject, type ObjectWriter, type View } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
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

/** A node's lease renewer. */
export interface NodeLease {
  /** Creates or renews the lease now. */
  renew(): Promise<void>;
  start(): void;
  stop(): void;
}

/** Creates the lease renewer of `node`; `view` must follow leases and nodes. */
export function createNodeLease(o: {
  writer: ObjectWriter;
  view: View;
  node: string;
  renewMs: number;
  log: Logger;
  clock?: () => number;
}): NodeLease {
  const clock = o.clock ?? Date.now;
  const key: TypedKey<'leases'> = { resource: 'leases', namespace: 'kube-node-lease', name: o.node };
  const nodeKey: TypedKey<'nodes'> = { resource: 'nodes', namespace: '', name: o.node };
  let timer: NodeJS.Timeout | undefined;

  async function renew(): Promise<void> {
    const existing = getObject(o.view, key);
    const next = renewedLease(existing, o.node, getObject(o.view, nodeKey), clock());
    await o.writer.put(key, next, existing ? Number(existing.metadata.resourceVersion) : undefined);
  }

  return {
    renew,
    start() {
      timer = setInterval(() => {
        renew().catch((err: unknown) => o.log.warn({ err }, 'node lease not renewed'));
      }, o.renewMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
