/**
 * The cluster zone as lookup tables, built from Services, EndpointSlices and Namespaces
 * (pure). An endpoint is ready unless its slice says `ready: false` (nil means ready, as
 * the discovery API defines it), or always when the Service publishes not-ready
 * addresses; its DNS name is its hostname, else its dashed IP (CoreDNS endpointHostname).
 * Reverse entries map a ClusterIP to its Service and an endpoint IP to
 * `<endpoint>.<svc>.<ns>.svc.<zone>`, Service addresses first, as CoreDNS looks them up.
 */
import { type EndpointSlice, type Namespace, type Service, SERVICE_NAME_LABEL } from '@kemu/api';

/** A port as SRV records use it. */
export interface ZonePort {
  /** Port name, '' when unnamed (unnamed ports get no `_port._proto` SRV). */
  name: string;
  /** Lower-case protocol (tcp, udp, sctp). */
  protocol: string;
  port: number;
}

/** One address behind a Service. */
export interface ZoneEndpoint {
  ip: string;
  /** Lower-case DNS label: the hostname or the dashed IP. */
  name: string;
  ready: boolean;
  ports: ZonePort[];
}

/** What DNS knows of one Service. */
export interface ZoneService {
  name: string;
  namespace: string;
  /** `<svc>.<ns>.svc.<zone>`, lower case. */
  fqdn: string;
  kind: 'ClusterIP' | 'Headless' | 'ExternalName';
  clusterIPs: string[];
  externalName?: string;
  ports: ZonePort[];
  endpoints: ZoneEndpoint[];
}

/** The whole zone. */
export interface ZoneIndex {
  domain: string;
  /** SOA serial. */
  serial: number;
  namespaces: Set<string>;
  /** By `<svc>.<ns>` (lower case). */
  services: Map<string, ZoneService>;
  /** IP → owner name of its PTR record. */
  reverse: Map<string, string>;
  /** Addresses of the cluster DNS Service (answers for `ns.dns.<zone>`). */
  dnsServiceIPs: string[];
}

/** Objects the zone is built from. */
export interface ZoneObjects {
  services: Iterable<Service>;
  endpointSlices: Iterable<EndpointSlice>;
  namespaces: Iterable<Namespace>;
}

/** How the zone is built. */
export interface ZoneIndexOptions {
  domain: string;
  serial: number;
  /** The cluster DNS Service; kube-system/kube-dns by default. */
  dnsService?: { namespace: string; name: string };
}

/** CoreDNS endpointHostname: the hostname, else the IP with '.' or ':' as '-' (a trailing '-' becomes '-0'). */
export function endpointName(ip: string, hostname: string | undefined): string {
  if (hostname) return hostname.toLowerCase();
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  const dashed = ip.replaceAll(':', '-').toLowerCase();
  return dashed.endsWith('-') ? `${dashed}0` : dashed;
}

function serviceKind(svc: Service): ZoneService['kind'] {
  if (svc.spec?.type === 'ExternalName') return 'ExternalName';
  return svc.spec?.clusterIP === 'None' ? 'Headless' : 'ClusterIP';
}

function sliceEndpoints(slice: EndpointSlice, publishNotReady: boolean): ZoneEndpoint[] {
  if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return [];
  const ports = (slice.ports ?? []).map((p) => ({
    name: (p.name ?? '').toLowerCase(),
    protocol: (p.protocol ?? 'TCP').toLowerCase(),
    port: p.port,
  }));
  const out: ZoneEndpoint[] = [];
  for (const ep of slice.endpoints ?? []) {
    const ready = publishNotReady || ep.conditions?.ready !== false;
    for (const ip of ep.addresses ?? []) out.push({ ip, name: endpointName(ip, ep.hostname), ready, ports });
  }
  return out;
}

/** Builds the zone tables. */
export function buildZoneIndex(objects: ZoneObjects, options: ZoneIndexOptions): ZoneIndex {
  const domain = options.domain.toLowerCase();
  const namespaces = new Set<string>();
  for (const ns of objects.namespaces) namespaces.add(ns.metadata.name);
  const slicesBy = new Map<string, EndpointSlice[]>();
  for (const slice of objects.endpointSlices) {
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const key = `${svc}.${slice.metadata.namespace ?? 'default'}`;
    const list = slicesBy.get(key) ?? [];
    list.push(slice);
    slicesBy.set(key, list);
  }
  const services = new Map<string, ZoneService>();
  for (const svc of objects.services) {
    const namespace = svc.metadata.namespace ?? 'default';
    const key = `${svc.metadata.name}.${namespace}`.toLowerCase();
    namespaces.add(namespace);
    const kind = serviceKind(svc);
    const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
    const byIP = new Map<string, ZoneEndpoint>();
    const slices = (slicesBy.get(key) ?? []).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    for (const slice of slices) {
      for (const ep of sliceEndpoints(slice, publishNotReady)) {
        const seen = byIP.get(ep.ip);
        if (!seen || (!seen.ready && ep.ready)) byIP.set(ep.ip, ep);
      }
    }
    const clusterIPs =
      kind === 'ClusterIP'
        ? (svc.spec.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec.clusterIP ? [svc.spec.clusterIP] : []).filter(
            (ip) => ip && ip !== 'None',
          )
        : [];
    services.set(key, {
      name: svc.metadata.name,
      namespace,
      fqdn: `${key}.svc.${domain}`,
      kind,
      clusterIPs,
      ...(kind === 'ExternalName' && svc.spec.externalName
        ? { externalName: svc.spec.externalName.replace(/\.$/, '') }
        : {}),
      ports: (svc.spec?.ports ?? []).map((p) => ({
        name: (p.name ?? '').toLowerCase(),
        protocol: (p.protocol ?? 'TCP').toLowerCase(),
        port: p.port,
      })),
      endpoints: [...byIP.values()],
    });
  }
  const sorted = [...services.values()].sort((a, b) => a.fqdn.localeCompare(b.fqdn));
  const reverse = new Map<string, string>();
  for (const s of sorted) for (const ip of s.clusterIPs) if (!reverse.has(ip)) reverse.set(ip, s.fqdn);
  for (const s of sorted) {
    for (const ep of s.endpoints) if (ep.ready && !reverse.has(ep.ip)) reverse.set(ep.ip, `${ep.name}.${s.fqdn}`);
  }
  const dns = options.dnsService ?? { namespace: 'kube-system', name: 'kube-dns' };
  return {
    domain,
    serial: options.serial >>> 0,
    namespaces,
    services,
    reverse,
    dnsServiceIPs: services.get(`${dns.name}.${dns.namespace}`)?.clusterIPs ?? [],
  };
}
