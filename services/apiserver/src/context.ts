/** What every request handler works with: the informer's view, the writer, the watch history. */
import type { Informer, ObjectWriter } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import type { ChangeHistory } from './verbs/change-history.js';
import type { ListSnapshots } from './verbs/list-snapshots.js';
import type { ClusterIpAllocator } from './cluster-ip/cluster-ip-allocator.js';
import type { NodeBus } from '@kemu/pod-streams';
import type { TokenSigner } from './auth/service-account-token.js';

/** Shared state of one apiserver. */
export interface ApiContext {
  informer: Informer;
  writer: ObjectWriter;
  history: ChangeHistory;
  /** Collections as of past versions, for the later pages of paginated lists. */
  lists: ListSnapshots;
  allocator: ClusterIpAllocator;
  log: Logger;
  /** Epoch milliseconds now (injected so tables and tests agree on ages). */
  clock(): number;
  /** Kubernetes version reported by /version and used for nodes without one. */
  version: string;
  /** How often watches with allowWatchBookmarks get a BOOKMARK. */
  bookmarkIntervalMs: number;
  /** Open watch streams and their bound: a watch past `max` is a 429 (invariant: `open` counts streams not yet closed). */
  watches: { open: number; max: number };
  /** Signs ServiceAccount tokens (TokenRequest); without it they are neither issued nor accepted. */
  tokenSigner?: TokenSigner;
  /** NATS, to reach node-agents for pod logs, exec and attach; without it those are 503. */
  nodeBus?: NodeBus;
}
