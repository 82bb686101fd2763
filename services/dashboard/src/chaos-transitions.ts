/**
 * What the chaos timeline needs of the log, told change by change: the faults (kemu-chaos
 * Events, @kemu/chaos), pods going terminating, NotReady, Ready or away, EndpointSlices
 * whose ready endpoints changed (with the node of each), and nodes flipping Ready. Each
 * entry is read against the object's previous version (readHistory's `old`), so the
 * timeline is a fold over these, not over whole objects. Pure.
 */
import type { KubeObject } from '@kemu/api';
import { type FaultEventData, readFaultEvent } from '@kemu/chaos';
import type { HistoryEntry } from '@kemu/eventlog';

/** An endpoint of a slice: its address and the node it runs on. */
export interface SliceAddress {
  ip: string;
  node: string;
}

/** One change that matters to the timeline, with its log sequence and time (epoch ms). */
export type Transition =
  | { kind: 'fault'; seq: number; at: number; fault: FaultEventData }
  | { kind: 'pod'; seq: number; at: number; pod: string; node: string; ip: string; what: string }
  | {
      kind: 'slice';
      seq: number;
      at: number;
      /** `namespace/name` of the Service. */
      service: string;
      slice: string;
      removed: SliceAddress[];
      added: SliceAddress[];
      /** Ready endpoints of this slice after the change. */
      ready: number;
      /** Ready endpoints of this slice before it. */
      readyBefore: number;
    }
  | { kind: 'node'; seq: number; at: number; node: string; ready: boolean };

type Loose = KubeObject & {
  reportingComponent?: string;
  spec?: { nodeName?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
  endpoints?: { addresses?: string[]; nodeName?: string; conditions?: { ready?: boolean } }[];
};

const readyOf = (o: Loose | undefined) =>
  (o?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

function readyAddresses(o: Loose | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of o?.endpoints ?? []) {
    if (e.conditions?.ready === false) continue;
    for (const ip of e.addresses ?? []) out.set(ip, e.nodeName ?? '');
  }
  return out;
}

/** The transitions one history entry makes (none for most). */
export function transitionsOf(
  entry: Pick<HistoryEntry, 'seq' | 'time' | 'type' | 'key' | 'object' | 'old'>,
): Transition[] {
  const { seq } = entry;
  const at = entry.time.getTime();
  const o = entry.object as Loose;
  const old = entry.old as Loose | undefined;
  const { resource, namespace, name } = entry.key;
  switch (resource) {
    case 'events': {
      const fault = entry.type === 'ADDED' ? readFaultEvent(o) : undefined;
      return fault ? [{ kind: 'fault', seq, at: fault.atMs, fault }] : [];
    }
    case 'pods': {
      const base = { kind: 'pod' as const, seq, at, pod: `${namespace}/${name}`, node: o.spec?.nodeName ?? '' };
      const ip = o.status?.podIP ?? old?.status?.podIP ?? '';
      if (entry.type === 'DELETED') return [{ ...base, ip, what: 'deleted' }];
      const out: Transition[] = [];
      if (o.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp)
        out.push({ ...base, ip, what: 'terminating' });
      if (old && readyOf(old) !== readyOf(o)) out.push({ ...base, ip, what: readyOf(o) ? 'Ready' : 'NotReady' });
      else if (!old && readyOf(o)) out.push({ ...base, ip, what: 'Ready' });
      return out;
    }
    case 'endpointslices': {
      const before = readyAddresses(old);
      const after = entry.type === 'DELETED' ? new Map<string, string>() : readyAddresses(o);
      const removed = [...before].filter(([ip]) => !after.has(ip)).map(([ip, node]) => ({ ip, node }));
      const added = [...after].filter(([ip]) => !before.has(ip)).map(([ip, node]) => ({ ip, node }));
      if (removed.length === 0 && added.length === 0) return [];
      const service =
        o.metadata.labels?.['kubernetes.io/service-name'] ?? old?.metadata.labels?.['kubernetes.io/service-name'];
      if (!service) return [];
      return [
        {
          kind: 'slice',
          seq,
          at,
          service: `${namespace}/${service}`,
          slice: name,
          removed,
          added,
          ready: after.size,
          readyBefore: before.size,
        },
      ];
    }
    case 'nodes': {
      const ready = entry.type !== 'DELETED' && readyOf(o);
      return old && readyOf(old) !== ready ? [{ kind: 'node', seq, at, node: name, ready }] : [];
    }
    default:
      return [];
  }
}
