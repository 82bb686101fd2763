/** What every request handler works with: the informer's view, the writer, the watch history. */
import type { Informer, ObjectWriter } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import type { ChangeHistory } from './verbs/change-history.js';
import type { ClusterIpAllocator } from './cluster-ip/cluster-ip-allocator.js';
import type { NodeBus } from '@kemu/pod-streams';

/** Shared state of one apiserver. */
export interface ApiContext {
  informer: Informer;
  writer: ObjectWriter;
  history: ChangeHistory;
  allocator: ClusterIpAllocator;
  log: Logger;
  /** Epoch milliseconds now (injected so tables and tests agree on ages). */
  clock(): number;
  /** Kubernetes version reported by /version and used for nodes without one. */
  version: string;
  /** How often watches with allowWatchBookmarks get a BOOKMARK. */
  bookmarkIntervalMs: number;
  /** NATS, to reach node-agents for pod logs, exec and attach; without it those are 503. */
  nodeBus?: NodeBus;
}
