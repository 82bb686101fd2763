/**
 * The cluster's own account of a chaos run: the log's changes between two sequences (read
 * with @kemu/eventlog's `readHistory`, each with the object before and after) turned into
 * the timeline entries that matter to the probed Service (pod terminating, deleted,
 * Ready/NotReady, created; the Service's ready endpoints changed; node Ready/NotReady),
 * each with its stream sequence and time. The interpretation (`interpretEvents`) is pure.
 */
import { SERVICE_NAME_LABEL } from '@kemu/api';
import { type EventLog, type HistoryEntry, readHistory } from '@kemu/eventlog';

/** One entry of the cluster's side of the timeline. */
export interface ClusterEvent {
  seq: number;
  /** Epoch ms (when the log stored the event). */
  at: number;
  object: string;
  what: string;
  actor: string;
}

/** What the interpretation looks at. */
export interface TimelineScope {
  namespaces: readonly string[];
  /** The probed Service: its EndpointSlices are followed. */
  service: { namespace: string; name: string };
}

/** The resources the timeline reads (Endpoints for where each fault sits, see fault-sequences.ts). */
export const TIMELINE_RESOURCES = ['pods', 'endpoints', 'endpointslices', 'nodes'] as const;

/** The part of a history entry the interpretation reads. */
export type TimelineInput = Pick<HistoryEntry, 'seq' | 'time' | 'type' | 'actor' | 'key' | 'uid' | 'object' | 'old'>;

/** Reads the log's changes of the timeline's resources with sequence in [fromSeq, toSeq]. */
export async function readTimelineEvents(eventLog: EventLog, fromSeq: number, toSeq: number): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  if (toSeq < fromSeq) return out;
  for await (const entry of readHistory(eventLog, {
    fromSeq,
    untilSeq: toSeq,
    filter: { resources: TIMELINE_RESOURCES },
  })) {
    out.push(entry);
  }
  return out;
}

type Loose = {
  metadata?: { name?: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
};

const loose = (o: unknown) => (o ?? {}) as Loose;
const readyOf = (o: Loose) => (o.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const readyEndpoints = (o: Loose) =>
  (o.endpoints ?? [])
    .filter((e) => e.conditions?.ready !== false)
    .flatMap((e) => e.addresses ?? [])
    .sort()
    .join(', ');

/** Turns the log's changes into timeline entries; each change is told against the object's previous version. */
export function interpretEvents(entries: readonly TimelineInput[], scope: TimelineScope): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  for (const entry of entries) {
    const o = loose(entry.object);
    const old = entry.old === undefined ? undefined : loose(entry.old);
    const at = entry.time.getTime();
    const actor = entry.actor.node ? `${entry.actor.component}/${entry.actor.node}` : entry.actor.component;
    const push = (object: string, what: string) => out.push({ seq: entry.seq, at, object, what, actor });
    const { resource, namespace, name } = entry.key;
    if (resource === 'pods' && scope.namespaces.includes(namespace)) {
      const obj = `pod ${namespace}/${name}`;
      if (entry.type === 'DELETED') {
        push(obj, 'deleted');
        continue;
      }
      if (!old) push(obj, 'created');
      if (o.metadata?.deletionTimestamp && !old?.metadata?.deletionTimestamp) push(obj, 'terminating');
      const ready = readyOf(o);
      const before = old ? readyOf(old) : false;
      if (before !== ready) {
        push(obj, ready ? `Ready (${o.status?.podIP ?? '?'} on ${o.spec?.nodeName ?? '?'})` : 'NotReady');
      }
    } else if (
      resource === 'endpointslices' &&
      namespace === scope.service.namespace &&
      (o.metadata?.labels?.[SERVICE_NAME_LABEL] ?? old?.metadata?.labels?.[SERVICE_NAME_LABEL]) === scope.service.name
    ) {
      const ready = entry.type === 'DELETED' ? '' : readyEndpoints(o);
      const before = old ? readyEndpoints(old) : undefined;
      if (before !== ready) push(`endpointslice ${namespace}/${name}`, `ready endpoints [${ready}]`);
    } else if (resource === 'nodes') {
      const ready = entry.type !== 'DELETED' && readyOf(o);
      if (old && readyOf(old) !== ready) push(`node ${name}`, ready ? 'Ready' : 'NotReady');
    }
  }
  return out;
}
