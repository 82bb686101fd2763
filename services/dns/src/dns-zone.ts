/**
 * Answers one question from the zone tables (pure), with the names and negative answers
 * of the Kubernetes DNS spec and the CoreDNS kubernetes plugin (KUBERNETES.md §2):
 * `svc.<ns>.svc.<zone>`, `<endpoint>.<svc>...`, `_port._proto.<svc>...`,
 * `a-b-c-d.<ns>.pod.<zone>` (pods insecure), `dns-version.<zone>`, `ns.dns.<zone>` and
 * reverse names. A name that exists but has no record of the asked type is NODATA, a
 * name that does not exist NXDOMAIN, both with the zone's SOA in authority. Types the
 * zone has no data for are answered as CoreDNS does: by looking the name up.
 * ANY gets the A records only (a minimal answer, RFC 8482).
 */
import { type Question, type ResourceRecord, CLASS_IN, RCode, RRType } from './dns-message.js';
import type { ZoneEndpoint, ZoneIndex, ZonePort, ZoneService } from './zone-index.js';

/** The schema version of the Kubernetes DNS spec served at `dns-version.<zone>`. */
export const DNS_SCHEMA_VERSION = '1.1.0';
/** TTL of the dns-version record (CoreDNS hard-codes it). */
const SCHEMA_VERSION_TTL = 28800;
const REVERSE_V4 = 'in-addr.arpa';
const REVERSE_V6 = 'ip6.arpa';

/** Zone behaviour. */
export interface ZoneOptions {
  /** TTL of every record (CoreDNS default 5 s). */
  ttl: number;
  /** `insecure` answers any `a-b-c-d.<ns>.pod` name of an existing namespace; `disabled` none. */
  pods: 'insecure' | 'disabled';
}

/** The zone's answer to one question. */
export interface ZoneAnswer {
  rcode: number;
  authoritative: boolean;
  /** The name is outside every zone served (REFUSED, or for an upstream). */
  outOfZone: boolean;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

/** Records of a name that exists (possibly none of the asked type), or undefined for NXDOMAIN. */
interface Found {
  answers: ResourceRecord[];
  additional: ResourceRecord[];
}

const NODATA: Found = { answers: [], additional: [] };

function refused(outOfZone: boolean): ZoneAnswer {
  return { rcode: RCode.REFUSED, authoritative: false, outOfZone, answers: [], authority: [], additional: [] };
}

function soa(index: ZoneIndex, zone: string, ttl: number): ResourceRecord {
  return {
    name: zone,
    ttl: Math.min(ttl, 300),
    data: {
      kind: 'SOA',
      mname: `ns.dns.${index.domain}`,
      rname: `hostmaster.${index.domain}`,
      serial: index.serial,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: ttl,
    },
  };
}

function addressRecords(owner: string, ips: readonly string[], type: number, ttl: number): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  for (const ip of ips) {
    const v6 = ip.includes(':');
    if (type === RRType.A && !v6) out.push({ name: owner, ttl, data: { kind: 'A', address: ip } });
    if (type === RRType.AAAA && v6) out.push({ name: owner, ttl, data: { kind: 'AAAA', address: ip } });
  }
  return out;
}

/** A, AAAA, or nothing for other types; ANY is answered as A. */
function addresses(owner: string, ips: readonly string[], type: number, ttl: number): Found {
  const t = type === RRType.ANY ? RRType.A : type;
  return { answers: addressRecords(owner, ips, t, ttl), additional: [] };
}

interface SrvTarget {
  target: string;
  port: number;
  ips: string[];
}

function srvFound(owner: string, targets: SrvTarget[], ttl: number): Found {
  const weight = Math.max(1, Math.floor(100 / Math.max(1, targets.length)));
  const answers: ResourceRecord[] = targets.map((t) => ({
    name: owner,
    ttl,
    data: { kind: 'SRV', priority: 0, weight, port: t.port, target: t.target },
  }));
  const additional: ResourceRecord[] = [];
  const glued = new Set<string>();
  for (const t of targets) {
    if (glued.has(t.target)) continue;
    glued.add(t.target);
    additional.push(
      ...addressRecords(t.target, t.ips, RRType.A, ttl),
      ...addressRecords(t.target, t.ips, RRType.AAAA, ttl),
    );
  }
  return { answers, additional };
}

function readyEndpoints(svc: ZoneService): ZoneEndpoint[] {
  return svc.endpoints.filter((e) => e.ready);
}

function portMatches(p: ZonePort, port: string | undefined, proto: string | undefined): boolean {
  return (port === undefined || p.name === port) && (proto === undefined || p.protocol === proto);
}

/** SRV targets of a service for an optional port/protocol filter. */
function srvTargets(svc: ZoneService, port?: string, proto?: string): SrvTarget[] {
  if (svc.kind === 'ClusterIP') {
    return svc.ports
      .filter((p) => portMatches(p, port, proto))
      .map((p) => ({ target: svc.fqdn, port: p.port, ips: svc.clusterIPs }));
  }
  if (svc.kind === 'Headless') {
    const out: SrvTarget[] = [];
    for (const ep of readyEndpoints(svc)) {
      for (const p of ep.ports) {
        if (portMatches(p, port, proto)) out.push({ target: `${ep.name}.${svc.fqdn}`, port: p.port, ips: [ep.ip] });
      }
    }
    return out;
  }
  return [];
}

function serviceRecords(svc: ZoneService, owner: string, type: number, ttl: number): Found | undefined {
  if (svc.kind === 'ExternalName') {
    if (!svc.externalName) return undefined;
    return { answers: [{ name: owner, ttl, data: { kind: 'CNAME', target: svc.externalName } }], additional: [] };
  }
  const ips = svc.kind === 'ClusterIP' ? svc.clusterIPs : readyEndpoints(svc).map((e) => e.ip);
  if (svc.kind === 'Headless' && ips.length === 0) return undefined;
  if (type === RRType.SRV) return srvFound(owner, srvTargets(svc), ttl);
  return addresses(owner, ips, type, ttl);
}

function endpointRecords(svc: ZoneService, label: string, owner: string, type: number, ttl: number): Found | undefined {
  if (svc.kind === 'ExternalName') return undefined;
  const ips = readyEndpoints(svc)
    .filter((e) => e.name === label)
    .map((e) => e.ip);
  if (ips.length === 0) return undefined;
  return addresses(owner, ips, type, ttl);
}

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}

function portRecords(svc: ZoneService, segs: string[], owner: string, type: number, ttl: number): Found | undefined {
  const port = stripUnderscore(segs[0] as string);
  const proto = stripUnderscore(segs[1] as string);
  const targets = srvTargets(svc, port, proto);
  if (targets.length === 0) return undefined;
  if (type === RRType.SRV) return srvFound(owner, targets, ttl);
  const ips = svc.kind === 'ClusterIP' ? svc.clusterIPs : [...new Set(targets.flatMap((t) => t.ips))];
  return addresses(owner, ips, type, ttl);
}

function dashedIPv4(label: string): string | undefined {
  const parts = label.split('-');
  if (parts.length !== 4) return undefined;
  for (const p of parts) if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
  return parts.map(Number).join('.');
}

/** Records under `<zone>` for the labels left of it (`segs`, leftmost first). */
function lookupForward(
  index: ZoneIndex,
  segs: string[],
  owner: string,
  type: number,
  o: ZoneOptions,
): Found | undefined {
  const ttl = o.ttl;
  const n = segs.length;
  if (n === 0) {
    if (type === RRType.SOA) return { answers: [soa(index, index.domain, ttl)], additional: [] };
    if (type === RRType.NS) {
      const ns = `ns.dns.${index.domain}`;
      return {
        answers: [{ name: owner, ttl, data: { kind: 'NS', target: ns } }],
        additional: addressRecords(ns, index.dnsServiceIPs, RRType.A, ttl),
      };
    }
    return NODATA;
  }
  const key = segs.join('.');
  if (key === 'dns-version') {
    if (type !== RRType.TXT) return NODATA;
    return {
      answers: [{ name: owner, ttl: SCHEMA_VERSION_TTL, data: { kind: 'TXT', texts: [DNS_SCHEMA_VERSION] } }],
      additional: [],
    };
  }
  if (key === 'dns') return NODATA;
  if (key === 'ns.dns') return addresses(owner, index.dnsServiceIPs, type, ttl);
  const last = segs[n - 1];
  if (last !== 'svc' && last !== 'pod') return undefined;
  if (n === 1) return NODATA;
  const namespace = segs[n - 2] as string;
  if (!index.namespaces.has(namespace)) return undefined;
  if (n === 2) return NODATA;
  if (last === 'pod') {
    if (n !== 3 || o.pods !== 'insecure') return undefined;
    const ip = dashedIPv4(segs[0] as string);
    return ip ? addresses(owner, [ip], type, ttl) : undefined;
  }
  const svc = index.services.get(`${segs[n - 3]}.${namespace}`);
  if (!svc) return undefined;
  if (n === 3) return serviceRecords(svc, owner, type, ttl);
  if (n === 4) return endpointRecords(svc, segs[0] as string, owner, type, ttl);
  if (n === 5) return portRecords(svc, segs, owner, type, ttl);
  return undefined;
}

function reverseV4(labels: string[]): string | undefined {
  if (labels.length !== 4) return undefined;
  for (const p of labels) if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
  return [...labels].reverse().join('.');
}

function lookupReverse(index: ZoneIndex, segs: string[], owner: string, type: number, ttl: number): Found | undefined {
  if (segs.length === 0) return NODATA;
  const ip = reverseV4(segs);
  const target = ip ? index.reverse.get(ip) : undefined;
  if (!target) {
    // An empty non-terminal above a known address exists (RFC 8020): NODATA, not NXDOMAIN.
    const suffix = `.${segs.join('.')}`;
    if (segs.length < 4)
      for (const known of index.reverse.keys())
        if (`.${known.split('.').reverse().join('.')}`.endsWith(suffix)) return NODATA;
    return undefined;
  }
  if (type !== RRType.PTR && type !== RRType.ANY) return NODATA;
  return { answers: [{ name: owner, ttl, data: { kind: 'PTR', target } }], additional: [] };
}

function relativeLabels(name: string, zone: string): string[] | undefined {
  if (name === zone) return [];
  if (!name.endsWith(`.${zone}`)) return undefined;
  return name.slice(0, name.length - zone.length - 1).split('.');
}

/** How many CNAMEs in a row are followed inside the zone (CoreDNS stops at loops; a bound does too). */
const MAX_CHASE = 8;

/**
 * An ExternalName whose target is a name of this zone (`web-service.default.svc.cluster.local`)
 * gets the target's records after its CNAME, as CoreDNS's backend lookup follows in-zone
 * CNAMEs itself; an out-of-zone target stays a bare CNAME (kemu forwards nowhere).
 */
function chaseInZone(
  index: ZoneIndex,
  found: Found | undefined,
  type: number,
  options: ZoneOptions,
): Found | undefined {
  if (!found || type === RRType.CNAME) return found;
  const answers = [...found.answers];
  const seen = new Set(answers.slice(0, 1).map((r) => r.name.toLowerCase().replace(/\.$/, '')));
  for (let i = 0; i < MAX_CHASE; i++) {
    const last = answers.at(-1)?.data;
    if (last?.kind !== 'CNAME') break;
    const target = last.target.toLowerCase().replace(/\.$/, '');
    const segs = relativeLabels(target, index.domain);
    if (!segs || seen.has(target)) break;
    seen.add(target);
    const next = lookupForward(index, segs, target, type, options);
    if (!next) break;
    answers.push(...next.answers);
  }
  return { answers, additional: found.additional };
}

/** Answers one question from the zone. */
export function answerQuestion(index: ZoneIndex, q: Question, options: ZoneOptions): ZoneAnswer {
  const name = q.name.toLowerCase().replace(/\.$/, '');
  let zone = index.domain;
  let segs = relativeLabels(name, zone);
  let reverse = false;
  if (!segs) {
    for (const z of [REVERSE_V4, REVERSE_V6]) {
      segs = relativeLabels(name, z);
      if (segs) {
        zone = z;
        reverse = true;
        break;
      }
    }
  }
  if (!segs) return refused(true);
  if (q.class !== CLASS_IN || q.type === RRType.AXFR || q.type === RRType.IXFR) return refused(false);
  const found = reverse
    ? zone === REVERSE_V4
      ? lookupReverse(index, segs, q.name, q.type, options.ttl)
      : segs.length === 0
        ? NODATA
        : undefined
    : chaseInZone(index, lookupForward(index, segs, q.name, q.type, options), q.type, options);
  const base = { authoritative: true, outOfZone: false };
  if (!found) {
    return { ...base, rcode: RCode.NXDOMAIN, answers: [], authority: [soa(index, zone, options.ttl)], additional: [] };
  }
  if (found.answers.length === 0) {
    return { ...base, rcode: RCode.NOERROR, answers: [], authority: [soa(index, zone, options.ttl)], additional: [] };
  }
  return { ...base, rcode: RCode.NOERROR, answers: found.answers, authority: [], additional: found.additional };
}
