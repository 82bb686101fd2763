/**
 * The hollow nodes' Node objects and leases: each node is registered with the hollow
 * label and its pod CIDR, then its heartbeat (node status) and lease are renewed every
 * period, as a kubelet does. The nodes' timers are spread over the period, so a hundred
 * nodes write a steady trickle and not a burst. A node whose stop file exists is down, as
 * a killed node: no heartbeat, no lease, no pod status, so the node lifecycle controller
 * turns it NotReady and evicts its pods; it comes back when the file goes.
 */
import { HOLLOW_LABEL, type TypedKey } from '@kemu/api';
import { getObject, type ObjectWriter, type View } from '@kemu/eventlog';
import { type HollowNodeLayout, type NodeFacts, desiredNode, renewedLease } from '@kemu/kubelet';
import type { Logger } from '@kemu/log';
import { existsSync } from 'node:fs';

/** What the hollow nodes need. */
export interface HollowNodesOptions {
  nodes: readonly HollowNodeLayout[];
  /** The facts every hollow node reports, its name and pod CIDR aside. */
  facts: Omit<NodeFacts, 'name' | 'podCIDR'>;
  /** The writer of node `name` (its events carry the node as actor). */
  writer(name: string): ObjectWriter;
  view: View;
  heartbeatMs: number;
  /** The stop file of a node (hollowStopFile). */
  stopFile(name: string): string;
  /** A node came back after being down: its pods publish their status again. */
  onResume(name: string): void;
  log: Logger;
  now?: () => number;
}

/** The running hollow nodes. */
export interface HollowNodes {
  /** Registers every node and creates its lease; resolves once all are stored. */
  register(): Promise<void>;
  start(): void;
  stop(): void;
  /** Whether node `name` is down (its stop file was there at its last heartbeat). */
  isDown(name: string): boolean;
}

/** Creates the hollow nodes' registration and renewals. */
export function createHollowNodes(o: HollowNodesOptions): HollowNodes {
  const now = o.now ?? Date.now;
  const timers: NodeJS.Timeout[] = [];
  const down = new Set<string>();

  async function renew(n: HollowNodeLayout): Promise<void> {
    const writer = o.writer(n.name);
    const nodeKey: TypedKey<'nodes'> = { resource: 'nodes', namespace: '', name: n.name };
    const facts: NodeFacts = { ...o.facts, name: n.name, podCIDR: n.podCIDR };
    const mark = (existing: Parameters<typeof desiredNode>[0]) => {
      const node = desiredNode(existing, facts, new Date(now()).toISOString());
      node.metadata.labels = { ...node.metadata.labels, [HOLLOW_LABEL]: 'true' };
      return node;
    };
    if (getObject(o.view, nodeKey)) await writer.update(nodeKey, (current) => mark(current));
    else await writer.put(nodeKey, mark(undefined));
    const leaseKey: TypedKey<'leases'> = { resource: 'leases', namespace: 'kube-node-lease', name: n.name };
    const lease = getObject(o.view, leaseKey);
    const next = renewedLease(lease, n.name, getObject(o.view, nodeKey), now());
    await writer.put(leaseKey, next, lease ? Number(lease.metadata.resourceVersion) : undefined);
  }

  async function tick(n: HollowNodeLayout): Promise<void> {
    const stopped = existsSync(o.stopFile(n.name));
    if (stopped) {
      if (!down.has(n.name)) o.log.info({ node: n.name }, 'hollow node down (stop file)');
      down.add(n.name);
      return;
    }
    try {
      await renew(n);
      if (down.delete(n.name)) {
        o.log.info({ node: n.name }, 'hollow node back up');
        o.onResume(n.name);
      }
    } catch (err) {
      o.log.warn({ err, node: n.name }, 'hollow node heartbeat failed');
    }
  }

  return {
    async register() {
      // A few at a time: a hundred nodes register in a few hundred ms without a burst of writes in flight.
      const batch = 10;
      for (let i = 0; i < o.nodes.length; i += batch) {
        await Promise.all(o.nodes.slice(i, i + batch).map((n) => tick(n)));
      }
      o.log.info({ nodes: o.nodes.length }, 'hollow nodes registered');
    },
    start() {
      o.nodes.forEach((n, i) => {
        const offset = Math.floor((o.heartbeatMs * i) / o.nodes.length);
        const first = setTimeout(() => {
          void tick(n);
          const every = setInterval(() => void tick(n), o.heartbeatMs);
          every.unref();
          timers.push(every);
        }, offset);
        first.unref();
        timers.push(first);
      });
    },
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.length = 0;
    },
    isDown: (name) => down.has(name),
  };
}
