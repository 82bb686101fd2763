/**
 * Puts each fault on the cluster's event log, where the dashboard's chaos timeline and
 * `kemu replay` read it: a core/v1 Event reported by `kemu-chaos` (as Chaos Mesh records
 * its injections) on the faulted pod or node, for the injection (`ChaosInjected`), its
 * end (`ChaosEnded`) and each proxy seen dropping a killed pod's endpoint
 * (`ChaosEndpointLeftProxy`). The fault itself rides in the annotation FAULT_ANNOTATION as
 * JSON, so readers need no parsing of messages. Building and reading are pure; posting
 * goes through the apiserver and never holds up the run.
 */
import type { Event } from '@kemu/api';
import { randomUUID } from 'node:crypto';
import type { ChaosCluster } from './chaos-cluster.js';
import type { FaultRecord } from './fault-injectors.js';

/** The Events' reporting component: `kubectl get events -A --field-selector reportingComponent=kemu-chaos`. */
export const CHAOS_COMPONENT = 'kemu-chaos';
/** The annotation holding the fault as JSON (FaultEventData). */
export const FAULT_ANNOTATION = 'chaos.kemu.dev/fault';

/** What one chaos Event says. */
export type FaultEventReason = 'ChaosInjected' | 'ChaosEnded' | 'ChaosEndpointLeftProxy';

/** The fault as its Events carry it. */
export interface FaultEventData {
  experiment: string;
  /** The fault's id, shared by all of its Events. */
  id: string;
  reason: FaultEventReason;
  action: string;
  target: string;
  node?: string;
  /** The component killed or paused (`proxy`, `dns`, `node-agent` …) for process faults. */
  component?: string;
  pod?: { namespace: string; name: string; ip?: string };
  /** Epoch ms of what the Event reports (injection, end, endpoint seen missing). */
  atMs: number;
  startMs: number;
  /** The log's last sequence before the injection: what follows it may be the fault's doing. */
  logBefore?: number;
  /** For ChaosEnded: what undoing it did. */
  undone?: string;
  /** For ChaosEndpointLeftProxy: the node whose proxy dropped the endpoint. */
  proxyNode?: string;
}

/** The faults whose target is one process (`<component>[-node-N] (pid P)`). */
const PROCESS_ACTIONS: ReadonlySet<string> = new Set(['component-kill', 'pause']);

const micro = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

/** The Event for one moment of a fault. Pure. */
export function faultEvent(
  experiment: string,
  r: FaultRecord,
  reason: FaultEventReason,
  atMs: number,
  proxyNode?: string,
): Event {
  // A process fault names its process: `proxy-node-2 (pid 7)` is the proxy of node-2.
  const component = PROCESS_ACTIONS.has(r.action) ? r.target.split(' ')[0]?.replace(/-node-\d+$/, '') : undefined;
  const data: FaultEventData = {
    experiment,
    id: r.id,
    reason,
    action: r.action,
    target: r.target,
    ...(r.node ? { node: r.node } : {}),
    ...(component ? { component } : {}),
    ...(r.pod ? { pod: { namespace: r.pod.namespace, name: r.pod.name, ...(r.pod.ip ? { ip: r.pod.ip } : {}) } } : {}),
    atMs,
    startMs: r.startMs,
    ...(r.log ? { logBefore: r.log.before } : {}),
    ...(reason === 'ChaosEnded' && r.undone ? { undone: r.undone } : {}),
    ...(proxyNode ? { proxyNode } : {}),
  };
  const involved = r.pod
    ? { kind: 'Pod', apiVersion: 'v1', namespace: r.pod.namespace, name: r.pod.name, uid: r.pod.uid }
    : { kind: 'Node', apiVersion: 'v1', name: r.node ?? 'control-plane' };
  const message =
    reason === 'ChaosInjected'
      ? `${r.action} ${r.target} (experiment ${experiment})`
      : reason === 'ChaosEnded'
        ? `${r.action} ${r.target} ended: ${r.undone ?? 'nothing to undo'}`
        : `endpoint ${r.pod?.ip ?? '?'} left the proxy on ${proxyNode} ${atMs - r.startMs} ms after ${r.action}`;
  const time = new Date(atMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${involved.name}.chaos-${randomUUID().slice(0, 13)}`,
      namespace: r.pod?.namespace ?? 'default',
      annotations: { [FAULT_ANNOTATION]: JSON.stringify(data) },
    },
    involvedObject: involved,
    reason,
    message,
    type: reason === 'ChaosEnded' ? 'Normal' : 'Warning',
    source: { component: CHAOS_COMPONENT },
    firstTimestamp: time,
    lastTimestamp: time,
    eventTime: micro(atMs),
    count: 1,
    reportingComponent: CHAOS_COMPONENT,
    reportingInstance: experiment,
  };
}

/** The fault an Event carries, or undefined for any other Event. Pure. */
export function readFaultEvent(o: {
  kind?: string;
  reportingComponent?: string;
  metadata?: { annotations?: Record<string, string> };
}): FaultEventData | undefined {
  if (o.kind !== 'Event' || o.reportingComponent !== CHAOS_COMPONENT) return undefined;
  const raw = o.metadata?.annotations?.[FAULT_ANNOTATION];
  if (!raw) return undefined;
  try {
    const d = JSON.parse(raw) as FaultEventData;
    return typeof d.id === 'string' && typeof d.atMs === 'number' ? d : undefined;
  } catch {
    return undefined;
  }
}

/** Posts a run's fault Events in the background (retrying while the apiserver is down); `settled` waits for them. */
export function createFaultEventPoster(cluster: ChaosCluster, experiment: string, errors: string[]) {
  const pending: Promise<void>[] = [];
  const posted = new Set<string>();
  const RETRY_FOR_MS = 30_000;
  return {
    post(r: FaultRecord, reason: FaultEventReason, atMs: number, proxyNode?: string): void {
      // Once per fault, moment and proxy; an end with nothing undone (a kill) says nothing new.
      const once = `${r.id}|${reason}|${proxyNode ?? ''}`;
      if (posted.has(once) || (reason === 'ChaosEnded' && !r.undone)) return;
      posted.add(once);
      const event = faultEvent(experiment, r, reason, atMs, proxyNode);
      const path = `/api/v1/namespaces/${encodeURIComponent(event.metadata.namespace ?? 'default')}/events`;
      pending.push(
        (async () => {
          const deadline = Date.now() + RETRY_FOR_MS;
          for (;;) {
            try {
              await cluster.api('POST', path, event);
              return;
            } catch (err) {
              // The fault may have taken the apiserver down; it comes back under the supervisor.
              if (Date.now() > deadline) {
                errors.push(`recording ${reason} of ${r.target}: ${(err as Error).message}`);
                return;
              }
              await new Promise((res) => setTimeout(res, 500));
            }
          }
        })(),
      );
    },
    async settled(): Promise<void> {
      await Promise.all(pending);
    },
  };
}
