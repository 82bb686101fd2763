/**
 * The live side of the page: summaries of every followed object, kept current by the
 * informer's handlers, and a bounded history of changes by log sequence, so a page that
 * reconnects with the last sequence it saw (SSE Last-Event-ID) gets exactly what it
 * missed; one that fell out of the history is told to reload its state.
 */
import type { Change, Informer } from '@kemu/eventlog';
import { DASHBOARD_RESOURCES, type Summary, summarize, summaryKey } from './summaries.js';

/** Changes kept for reconnecting pages. */
const MAX_CHANGES = 20_000;

/** One change as the page gets it: the object's new summary, or null when it was deleted. */
export interface FeedChange {
  seq: number;
  /** Unix ms when the log stored the event. */
  time: number;
  key: string;
  summary: Summary | null;
}

/** The state a page starts from. */
export interface FeedState {
  seq: number;
  time: number;
  summaries: Summary[];
}

/** The live feed of summaries and changes. */
export interface ClusterFeed {
  state(): FeedState;
  /** The changes after `seq`, or undefined when some of them are no longer kept. */
  changesAfter(seq: number): FeedChange[] | undefined;
  /** Calls `fn` with every change from now on; returns the unsubscribe. */
  subscribe(fn: (change: FeedChange) => void): () => void;
  stop(): void;
}

/** Builds the feed from a synced informer's view and follows its changes. */
export function createClusterFeed(informer: Informer): ClusterFeed {
  const summaries = new Map<string, Summary>();
  const changes: FeedChange[] = [];
  const subscribers = new Set<(c: FeedChange) => void>();
  let lastTime = Date.now();
  let seq = informer.view.seq;
  /** Every change after this sequence is in `changes`. */
  let keptFrom = seq;

  for (const o of informer.view.objects.values()) {
    const resource = resourceOfKind(o.kind);
    const s = resource ? summarize(resource, o) : undefined;
    if (s) summaries.set(s.key, s);
  }

  function onChange(resource: string, change: Change): void {
    const o = change.object;
    const key = summaryKey(
      resource,
      o.metadata.namespace ?? (resource === 'nodes' ? undefined : 'default'),
      o.metadata.name,
    );
    const summary = change.type === 'DELETED' ? null : (summarize(resource, o) ?? null);
    if (summary) summaries.set(key, summary);
    else summaries.delete(key);
    lastTime = new Date(change.event.time).getTime() || Date.now();
    seq = change.seq;
    const c: FeedChange = { seq: change.seq, time: lastTime, key, summary };
    changes.push(c);
    if (changes.length > MAX_CHANGES) {
      const dropped = changes.splice(0, changes.length - MAX_CHANGES);
      keptFrom = dropped[dropped.length - 1]?.seq ?? keptFrom;
    }
    for (const fn of subscribers) fn(c);
  }

  const removers = DASHBOARD_RESOURCES.map((resource) =>
    informer.on(resource, {
      onAdd: (_o, c) => onChange(resource, c),
      onUpdate: (_old, _o, c) => onChange(resource, c),
      onDelete: (_o, c) => onChange(resource, c),
    }),
  );

  return {
    state: () => ({ seq: Math.max(seq, informer.view.seq), time: lastTime, summaries: [...summaries.values()] }),
    changesAfter(after) {
      if (after < keptFrom) return undefined;
      return changes.filter((c) => c.seq > after);
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    stop() {
      for (const r of removers) r();
      subscribers.clear();
    },
  };
}

/** The dashboard resource of an object kind. */
export function resourceOfKind(kind: string): string | undefined {
  switch (kind) {
    case 'Node':
      return 'nodes';
    case 'Pod':
      return 'pods';
    case 'Service':
      return 'services';
    case 'EndpointSlice':
      return 'endpointslices';
    default:
      return undefined;
  }
}

/** Summaries of every followed object of a view (a replayed one, for time travel). */
export function summariesOf(objects: Iterable<{ kind: string; metadata: { name: string } }>): Summary[] {
  const out: Summary[] = [];
  for (const o of objects) {
    const resource = resourceOfKind(o.kind);
    const s = resource ? summarize(resource, o as Parameters<typeof summarize>[1]) : undefined;
    if (s) out.push(s);
  }
  return out;
}
