/**
 * The chaos timeline: every fault of a `kemu chaos run` on a lane (its node, a node's
 * proxy, dns, or the control plane) with its consequences, each on the lane where it
 * happened and linked to the fault by what they share: the killed pod and its address,
 * the faulted node, the killed proxy's node. Consequences come from the log (the pod
 * going away, its endpoint leaving an EndpointSlice and coming back) and from the flow
 * records (the first connection each proxy made without the endpoint, failed connections,
 * the first success after them), plus the runner's own sightings of each proxy dropping
 * the endpoint. A fact only counts from the fault's start (the log sequence before it),
 * so replaying at an earlier sequence shows less. Pure.
 */
import type { FaultEventData } from '@kemu/chaos';
import type { ConnectionFlow } from '@kemu/flows';
import { type Flow, flowConsequences, ipOf, serviceOf } from './chaos-flow-consequences.js';
import type { Transition } from './chaos-transitions.js';

/** What a timeline item is. */
export type ItemKind =
  | 'fault'
  | 'ended'
  | 'pod'
  | 'node'
  | 'endpoint-removed'
  | 'proxy-dropped'
  | 'proxy-programmed'
  | 'failed'
  | 'retried'
  | 'dns-failed'
  | 'recovered';

/** One fact on a lane. */
export interface TimelineItem {
  kind: ItemKind;
  /** `node:node-1`, `proxy:node-2`, `dns`, `service:default/web`, `control-plane`. */
  lane: string;
  at: number;
  seq?: number;
  what: string;
  /** The command that shows this fact. */
  proof: string;
}

/** One fault with its consequences, in time order. */
export interface FaultView extends TimelineItem {
  id: string;
  experiment: string;
  action: string;
  target: string;
  consequences: TimelineItem[];
}

/** The timeline. */
export interface ChaosTimeline {
  lanes: string[];
  faults: FaultView[];
  from: number;
  to: number;
}

const logProof = (seq: number, resource?: string) =>
  `kemu events${resource ? ` --resource ${resource}` : ''} --since seq:${seq} --until seq:${seq}`;
const chaosEvents = (ns: string, reason: string) =>
  `kubectl get events -n ${ns} --field-selector reportingComponent=kemu-chaos,reason=${reason}`;

/** The lane a fault sits on. */
export function faultLane(f: FaultEventData): string {
  if (f.component === 'proxy' && f.node) return `proxy:${f.node}`;
  if (f.component === 'dns') return 'dns';
  return f.node ? `node:${f.node}` : 'control-plane';
}

function laneOrder(lane: string): string {
  const rank = lane.startsWith('node:')
    ? 0
    : lane.startsWith('proxy:')
      ? 1
      : lane === 'dns'
        ? 2
        : lane === 'control-plane'
          ? 4
          : 3;
  return `${rank}${lane}`;
}

/** Builds the timeline from the transitions and flow records up to `untilSeq` / `untilMs`. */
export function buildChaosTimeline(
  transitions: readonly Transition[],
  flows: readonly Flow[],
  until: { seq: number; ms: number },
): ChaosTimeline {
  const ts = transitions.filter((t) => t.seq <= until.seq);
  const fl = flows.filter((f) => f.startedAt <= until.ms).sort((a, b) => a.startedAt - b.startedAt);
  const conns = fl.filter((f): f is ConnectionFlow => f.kind === 'conn');
  const marks = ts.filter((t): t is Extract<Transition, { kind: 'fault' }> => t.kind === 'fault');
  const injected = marks.filter((m) => m.fault.reason === 'ChaosInjected').sort((a, b) => a.at - b.at);
  const faults: FaultView[] = [];
  for (const [i, m] of injected.entries()) {
    const f = m.fault;
    const after = (t: { seq: number; at: number }) =>
      f.logBefore !== undefined ? t.seq > f.logBefore : t.at >= f.startMs;
    const nextStart = injected[i + 1]?.fault.startMs ?? until.ms;
    const ns = f.pod?.namespace ?? 'default';
    const lane = faultLane(f);
    const out: TimelineItem[] = [];
    const ips = new Set(f.pod?.ip ? [f.pod.ip] : []);
    const nodeFault = !f.pod && !f.component && f.node ? f.node : undefined;
    const seen = new Set<string>();
    const once = (key: string) => !seen.has(key) && seen.add(key) !== undefined;

    for (const t of ts) {
      if (!after(t)) continue;
      if (
        t.kind === 'pod' &&
        (t.pod === `${f.pod?.namespace}/${f.pod?.name}` || (nodeFault && t.node === nodeFault && t.what !== 'Ready'))
      ) {
        if (once(`pod ${t.pod} ${t.what}`))
          out.push({
            kind: 'pod',
            lane: `node:${t.node || f.node}`,
            at: t.at,
            seq: t.seq,
            what: `pod ${t.pod} ${t.what}`,
            proof: logProof(t.seq, 'pods'),
          });
      } else if (t.kind === 'node' && t.node === nodeFault) {
        out.push({
          kind: 'node',
          lane: `node:${t.node}`,
          at: t.at,
          seq: t.seq,
          what: `node ${t.node} ${t.ready ? 'Ready' : 'NotReady'}`,
          proof: logProof(t.seq, 'nodes'),
        });
      } else if (t.kind === 'slice') {
        for (const r of t.removed) {
          if (!(ips.has(r.ip) || (nodeFault && r.node === nodeFault)) || !once(`removed ${t.service} ${r.ip}`))
            continue;
          ips.add(r.ip);
          const svc = `service:${t.service}`;
          out.push({
            kind: 'endpoint-removed',
            lane: svc,
            at: t.at,
            seq: t.seq,
            what: `endpoint ${r.ip} removed from EndpointSlice ${t.slice} (${t.ready} ready left)`,
            proof: logProof(t.seq, 'endpointslices'),
          });
          const back = ts.find(
            (u) => u.kind === 'slice' && u.slice === t.slice && u.seq > t.seq && u.ready >= t.readyBefore,
          );
          if (back?.kind === 'slice' && once(`recovered ${t.slice}`)) {
            const added = back.added.map((a) => a.ip).join(', ');
            out.push({
              kind: 'recovered',
              lane: svc,
              at: back.at,
              seq: back.seq,
              what: `${t.service} back to ${back.ready} ready endpoints${added ? ` (${added} added)` : ''}`,
              proof: logProof(back.seq, 'endpointslices'),
            });
          }
          // Each proxy's first connection programmed from a view without the endpoint.
          for (const c of conns) {
            if (
              serviceOf(c.service) !== t.service ||
              c.programmedAtSeq < t.seq ||
              c.candidates.some((x) => ipOf(x) === r.ip)
            )
              continue;
            if (!once(`programmed ${c.node} ${r.ip}`)) continue;
            out.push({
              kind: 'proxy-programmed',
              lane: `proxy:${c.node}`,
              at: c.startedAt,
              what: `proxy on ${c.node} programmed seq ${c.programmedAtSeq} without ${r.ip} (first connection after: ${c.candidates.length} candidates)`,
              proof: `kemu flows --service ${t.service}`,
            });
          }
        }
      }
    }
    for (const x of marks) {
      if (x.fault.id !== f.id) continue;
      if (x.fault.reason === 'ChaosEndpointLeftProxy' && x.fault.proxyNode) {
        out.push({
          kind: 'proxy-dropped',
          lane: `proxy:${x.fault.proxyNode}`,
          at: x.at,
          seq: x.seq,
          what: `proxy on ${x.fault.proxyNode} dropped ${f.pod?.ip ?? 'the endpoint'} (${x.at - f.startMs} ms after the fault)`,
          proof: chaosEvents(ns, 'ChaosEndpointLeftProxy'),
        });
      } else if (x.fault.reason === 'ChaosEnded') {
        out.push({
          kind: 'ended',
          lane,
          at: x.at,
          seq: x.seq,
          what: `ended: ${x.fault.undone ?? ''}`,
          proof: chaosEvents(ns, 'ChaosEnded'),
        });
      }
    }
    out.push(...flowConsequences(fl, f, ips, nextStart));
    out.sort((a, b) => a.at - b.at || (a.seq ?? 0) - (b.seq ?? 0));
    faults.push({
      id: f.id,
      experiment: f.experiment,
      action: f.action,
      target: f.target,
      kind: 'fault',
      lane,
      at: f.startMs,
      seq: m.seq,
      what: `${f.action} ${f.target}`,
      proof: chaosEvents(ns, 'ChaosInjected'),
      consequences: out,
    });
  }
  const lanes = new Set<string>();
  for (const f of faults) for (const x of [f, ...f.consequences]) lanes.add(x.lane);
  const times = faults.flatMap((f) => [f.at, ...f.consequences.map((c) => c.at)]);
  return {
    lanes: [...lanes].sort((a, b) => (laneOrder(a) < laneOrder(b) ? -1 : 1)),
    faults,
    from: times.length > 0 ? Math.min(...times) : until.ms,
    to: times.length > 0 ? Math.max(...times) : until.ms,
  };
}
