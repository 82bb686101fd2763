/**
 * The chaos timeline's facts from the flow records: connections that failed while a fault
 * lasted (through the killed proxy, to the killed pod's address, to dns when dns was
 * killed), counted per Service, and the first success after them; connections the proxy
 * saved by retrying another endpoint; for a dns fault the answers that were not NOERROR. Pure.
 */
import type { FaultEventData } from '@kemu/chaos';
import type { ConnectionFlow, DnsFlow } from '@kemu/flows';
import type { TimelineItem } from './chaos-timeline.js';

/** A flow record as the feed keeps it. */
export type Flow = (ConnectionFlow | DnsFlow) & { seq?: number };
/** `ip:port` → ip. */
export const ipOf = (address: string) => address.slice(0, address.lastIndexOf(':'));
/** `ns/name:port` → `ns/name`. */
export const serviceOf = (spn: string) => spn.split(':')[0] ?? spn;

/**
 * Failed connections (per Service) and DNS failures while the fault lasted, the first
 * success after them, and connections the proxy retried on another endpoint.
 */
export function flowConsequences(
  fl: readonly Flow[],
  f: FaultEventData,
  ips: Set<string>,
  untilMs: number,
): TimelineItem[] {
  const out: TimelineItem[] = [];
  const inWindow = fl.filter((r) => r.startedAt >= f.startMs && r.startedAt < untilMs);
  const proxyNode = f.component === 'proxy' ? f.node : undefined;
  const hit = (c: ConnectionFlow) =>
    (proxyNode !== undefined && c.node === proxyNode) ||
    (f.component === 'dns' && serviceOf(c.service) === 'kube-system/kube-dns') ||
    [...c.tried, ...(c.endpoint ? [c.endpoint] : [])].some((x) => ips.has(ipOf(x))) ||
    (c.result === 'no-endpoints' && c.candidates.length === 0 && ips.size > 0);
  const failed = new Map<string, ConnectionFlow[]>();
  for (const r of inWindow) {
    if (r.kind !== 'conn' || r.result === 'ok' || !hit(r)) continue;
    const s = serviceOf(r.service);
    failed.set(s, [...(failed.get(s) ?? []), r]);
  }
  for (const [s, list] of failed) {
    const by = new Map<string, number>();
    for (const r of list) by.set(r.result, (by.get(r.result) ?? 0) + (r.weight ?? 1));
    const n = [...by.values()].reduce((a, b) => a + b, 0);
    const last = list[list.length - 1] as ConnectionFlow;
    const first = list[0] as ConnectionFlow;
    out.push({
      kind: 'failed',
      lane: `service:${s}`,
      at: first.startedAt,
      what: `${n} failed connection(s) to ${s} (${[...by].map(([k, v]) => `${k} ${v}`).join(', ')}), the last ${last.startedAt - first.startedAt} ms after the first`,
      proof: `kemu flows --service ${s}`,
    });
    const ok = inWindow.find(
      (r) => r.kind === 'conn' && r.result === 'ok' && serviceOf(r.service) === s && r.startedAt > last.startedAt,
    );
    if (ok?.kind === 'conn')
      out.push({
        kind: 'recovered',
        lane: `service:${s}`,
        at: ok.startedAt,
        what: `connections to ${s} succeed again (via ${ok.node} to ${ok.endpoint})`,
        proof: `kemu flows --service ${s}`,
      });
  }
  // Connections the proxy saved: the faulted endpoint failed, another one answered.
  const retried = new Map<string, ConnectionFlow[]>();
  for (const r of inWindow) {
    if (r.kind !== 'conn' || r.result !== 'ok' || !r.tried.slice(0, -1).some((x) => ips.has(ipOf(x)))) continue;
    const s = serviceOf(r.service);
    retried.set(s, [...(retried.get(s) ?? []), r]);
  }
  for (const [s, list] of retried) {
    const first = list[0] as ConnectionFlow;
    out.push({
      kind: 'retried',
      lane: `service:${s}`,
      at: first.startedAt,
      what: `${list.reduce((n, r) => n + (r.weight ?? 1), 0)} connection(s) to ${s} failed on ${[...ips].join(', ')} and were retried by the proxy on another endpoint (first: ${first.node} to ${first.endpoint})`,
      proof: `kemu flows --service ${s}`,
    });
  }
  if (f.component === 'dns') {
    const bad = inWindow.filter((r): r is DnsFlow => r.kind === 'dns' && r.rcode !== 'NOERROR');
    if (bad[0])
      out.push({
        kind: 'dns-failed',
        lane: 'dns',
        at: bad[0].startedAt,
        what: `${bad.length} DNS answer(s) not NOERROR (${bad[0].rcode} for ${bad[0].name})`,
        proof: 'kemu flows -o json',
      });
  }
  return out;
}
