/**
 * Which conntrack entries a sync must delete (kube-proxy's conntrack.CleanStaleEntries,
 * UDP only): a UDP flow keeps its DNAT binding for as long as packets keep coming, so
 * without a delete a client would keep sending to an endpoint that is gone. After each
 * successful sync: flows to a removed endpoint of a UDP service port, flows to a UDP
 * service port that is gone, and flows to a UDP service port that just got its first
 * endpoint (entries made while it had none would black-hole the client). TCP needs none:
 * the endpoint's RST or the client's timeout ends the flow.
 */
import type { DesiredServicePort } from '../desired-state.js';

/** One `conntrack -D` filter. */
export interface ConntrackFilter {
  protocol: 'udp';
  origDst: string;
  origPortDst: number;
  /** The endpoint (the DNAT target) as seen in the reply direction; absent means every flow to the service port. */
  replySrc?: string;
  replyPortSrc?: number;
}

function split(endpoint: string): [string, number] {
  const colon = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, colon), Number(endpoint.slice(colon + 1))];
}

/** The filters for the entries that became stale between two applied desired states. */
export function planConntrackCleanup(
  before: ReadonlyMap<string, DesiredServicePort>,
  after: ReadonlyMap<string, DesiredServicePort>,
): ConntrackFilter[] {
  const out: ConntrackFilter[] = [];
  for (const [spn, old] of before) {
    if (old.info.protocol !== 'UDP') continue;
    const now = after.get(spn);
    const base = { protocol: 'udp' as const, origDst: old.info.clusterIP, origPortDst: old.info.port };
    const moved = !now || now.info.clusterIP !== old.info.clusterIP || now.info.port !== old.info.port;
    if (moved) {
      out.push(base);
      continue;
    }
    const keep = new Set(now.endpoints);
    for (const endpoint of old.endpoints) {
      if (keep.has(endpoint)) continue;
      const [ip, port] = split(endpoint);
      out.push({ ...base, replySrc: ip, replyPortSrc: port });
    }
  }
  for (const [spn, d] of after) {
    if (d.info.protocol !== 'UDP' || d.endpoints.length === 0) continue;
    const old = before.get(spn);
    if (old && old.endpoints.length === 0)
      out.push({ protocol: 'udp', origDst: d.info.clusterIP, origPortDst: d.info.port });
  }
  return out;
}

/** The `conntrack` arguments that delete the entries a filter names. */
export function conntrackDeleteArgs(f: ConntrackFilter): string[] {
  const args = ['-D', '-p', f.protocol, '--orig-dst', f.origDst, '--orig-port-dst', String(f.origPortDst)];
  if (f.replySrc) args.push('--reply-src', f.replySrc);
  if (f.replyPortSrc !== undefined) args.push('--reply-port-src', String(f.replyPortSrc));
  return args;
}
