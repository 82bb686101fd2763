/**
 * The cluster's own account of a chaos run: reads the KEMU stream between two sequences
 * and turns the events that matter to the probed Service into timeline entries (pod
 * terminating, deleted, Ready/NotReady, created; the Service's ready endpoints changed;
 * node Ready/NotReady), each with its stream sequence and time. The interpretation is
 * pure (`interpretEvents`); `readEventRange` is the small reader of a sequence range.
 */
import { type EventLog, STREAM, decodeEvent, keyFromSubject, type LogEvent } from '@kemu/eventlog';

/** One entry of the cluster's side of the timeline. */
export interface ClusterEvent {
  seq: number;
  /** Epoch ms (the event's time). */
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
  /** Readiness before the range (pod uid or node name → Ready), so the first change in it shows. */
  initialPodReady?: ReadonlyMap<string, boolean>;
  initialNodeReady?: ReadonlyMap<string, boolean>;
}

/** Reads events with sequence in [from, to] whose resource is one of `resources`. */
export async function readEventRange(
  eventLog: EventLog,
  from: number,
  to: number,
  resources: readonly string[],
): Promise<{ seq: number; event: LogEvent }[]> {
  const out: { seq: number; event: LogEvent }[] = [];
  const seqs: number[] = [];
  for (let s = Math.max(1, from); s <= to; s++) seqs.push(s);
  for (let i = 0; i < seqs.length; i += 64) {
    const batch = await Promise.all(
      seqs.slice(i, i + 64).map((seq) => eventLog.jsm.streams.getMessage(STREAM, { seq }).catch(() => null)),
    );
    for (const m of batch) {
      if (!m) continue;
      const key = keyFromSubject(m.subject);
      if (!key || !resources.includes(key.resource)) continue;
      try {
        out.push({ seq: m.seq, event: decodeEvent(m.data) });
      } catch {
        // Not an event this reader knows; the timeline skips it.
      }
    }
  }
  return out.sort((a, b) => a.seq - b.seq);
}

type Loose = {
  metadata?: { name?: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
};

const readyOf = (o: Loose) => (o.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Turns events into timeline entries; state carried between events only within the range. */
export function interpretEvents(
  events: readonly { seq: number; event: LogEvent }[],
  scope: TimelineScope,
): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  const podReady = new Map<string, boolean>(scope.initialPodReady ?? []);
  const podTerminating = new Set<string>();
  const podSeen = new Set<string>();
  const sliceReady = new Map<string, string>();
  const nodeReady = new Map<string, boolean>(scope.initialNodeReady ?? []);
  for (const { seq, event } of events) {
    const o = event.object as unknown as Loose;
    const at = Date.parse(event.time);
    const actor = event.actor.node ? `${event.actor.component}/${event.actor.node}` : event.actor.component;
    const push = (object: string, what: string) => out.push({ seq, at, object, what, actor });
    const { resource, namespace, name } = event.key;
    if (resource === 'pods' && scope.namespaces.includes(namespace)) {
      const obj = `pod ${namespace}/${name}`;
      if (event.type === 'Delete') {
        push(obj, 'deleted');
        podReady.delete(event.uid);
        continue;
      }
      const firstSight = !podSeen.has(event.uid);
      podSeen.add(event.uid);
      if (firstSight && !o.status?.podIP && !o.metadata?.deletionTimestamp) push(obj, 'created');
      // A pod first seen already running (before the range) has no transition to report.
      if (firstSight && o.status?.podIP && !podReady.has(event.uid)) podReady.set(event.uid, readyOf(o));
      if (o.metadata?.deletionTimestamp && !podTerminating.has(event.uid)) {
        podTerminating.add(event.uid);
        push(obj, 'terminating');
      }
      const ready = readyOf(o);
      const before = podReady.get(event.uid);
      if (before !== ready && (before !== undefined || ready)) {
        push(obj, ready ? `Ready (${o.status?.podIP ?? '?'} on ${o.spec?.nodeName ?? '?'})` : 'NotReady');
      }
      podReady.set(event.uid, ready);
    } else if (
      resource === 'endpointslices' &&
      namespace === scope.service.namespace &&
      o.metadata?.labels?.['kubernetes.io/service-name'] === scope.service.name
    ) {
      const ready =
        event.type === 'Delete'
          ? ''
          : (o.endpoints ?? [])
              .filter((e) => e.conditions?.ready !== false)
              .flatMap((e) => e.addresses ?? [])
              .sort()
              .join(', ');
      if (sliceReady.get(name) !== ready) {
        sliceReady.set(name, ready);
        push(`endpointslice ${namespace}/${name}`, `ready endpoints [${ready}]`);
      }
    } else if (resource === 'nodes') {
      const ready = event.type !== 'Delete' && readyOf(o);
      const before = nodeReady.get(name);
      if (before !== undefined && before !== ready) push(`node ${name}`, ready ? 'Ready' : 'NotReady');
      nodeReady.set(name, ready);
    }
  }
  return out;
}
