/**
 * Where each fault sits in the event log: the stream's last sequence before the injection,
 * once injected, just before it was undone and once it ended, and a sequence inside the
 * fault to hand to `kemu replay --at seq:N`. For a killed pod the moment inside is the
 * first change after which neither the Service's Endpoints nor its EndpointSlices list the
 * pod's address as ready (what `kubectl get endpoints` shows then); for other faults it is
 * the last sequence before the undo. Pure.
 */
import { SERVICE_NAME_LABEL } from '@kemu/api';
import type { TimelineInput } from './event-timeline.js';

/** The stream sequences recorded around one fault. */
export interface FaultLogMarks {
  /** Last sequence before the injection: the cluster as it was before the fault. */
  before: number;
  /** Last sequence once the fault was injected. */
  start: number;
  /** Last sequence just before the undo (or the end) began. */
  lastInside?: number;
  /** Last sequence once the fault was undone or ended. */
  end?: number;
}

/** One fault's sequences as the report gives them. */
export interface FaultSequences {
  before: number;
  start: number;
  end: number | null;
  /** A sequence inside the fault, for `kemu replay --at seq:N`. */
  replayAt: number;
}

type Loose = {
  metadata?: { labels?: Record<string, string> };
  subsets?: { addresses?: { ip?: string }[] }[];
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
};

function listsReady(resource: string, object: unknown, ip: string): boolean {
  const o = (object ?? {}) as Loose;
  if (resource === 'endpoints') return (o.subsets ?? []).some((s) => (s.addresses ?? []).some((a) => a.ip === ip));
  return (o.endpoints ?? []).some((e) => e.conditions?.ready !== false && (e.addresses ?? []).includes(ip));
}

/**
 * The first sequence after `afterSeq` at which the Service's Endpoints and every one of its
 * EndpointSlices seen changing no longer list `ip` as ready, once both kinds have changed
 * (a Service's endpoints are only taken out by a change); undefined when that never happens.
 */
export function endpointGoneSeq(
  entries: readonly TimelineInput[],
  service: { namespace: string; name: string },
  ip: string,
  afterSeq: number,
): number | undefined {
  const lists = new Map<string, boolean>();
  let endpointsSeen = false;
  let slicesSeen = false;
  for (const e of entries) {
    if (e.seq <= afterSeq || e.key.namespace !== service.namespace) continue;
    const { resource, name } = e.key;
    const o = (e.type === 'DELETED' ? e.old : e.object) as Loose | undefined;
    if (resource === 'endpoints' && name === service.name) endpointsSeen = true;
    else if (resource === 'endpointslices' && o?.metadata?.labels?.[SERVICE_NAME_LABEL] === service.name) {
      slicesSeen = true;
    } else continue;
    lists.set(`${resource}/${name}`, e.type !== 'DELETED' && listsReady(resource, e.object, ip));
    if (endpointsSeen && slicesSeen && [...lists.values()].every((v) => !v)) return e.seq;
  }
  return undefined;
}

/** The sequences of a fault for the report. */
export function faultSequences(
  marks: FaultLogMarks,
  entries: readonly TimelineInput[],
  service: { namespace: string; name: string },
  podIp: string | undefined,
): FaultSequences {
  const gone = podIp === undefined ? undefined : endpointGoneSeq(entries, service, podIp, marks.before);
  return {
    before: marks.before,
    start: marks.start,
    end: marks.end ?? null,
    replayAt: gone ?? Math.max(marks.start, marks.lastInside ?? marks.start),
  };
}
