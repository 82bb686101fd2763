/**
 * The kubelet's node lease: `kube-node-lease/<node>` (coordination.k8s.io/v1), held by
 * the node, owned by its Node object, created at start and renewed every period (the
 * kubelet renews every 10 s, a quarter of the 40 s lease duration). kubectl describe
 * node shows it under `Lease:`. A failed renewal is logged and tried again next period.
 */
import type { TypedKey } from '@kemu/api';
import { getObject, type ObjectWriter, type View } from '@kemu/eventlog';
import { renewedLease } from '@kemu/kubelet';
import type { Logger } from '@kemu/log';

export { NODE_LEASE_DURATION_SECONDS, microTime, renewedLease } from '@kemu/kubelet';

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
