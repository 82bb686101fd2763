/**
 * The legacy core/v1 Endpoints of a Service, pure (KUBERNETES.md §3.3): one subset per
 * pod and port first, ready pods under `addresses` and the others under
 * `notReadyAddresses`, then repacked so that addresses sharing an identical port set
 * share one subset, sorted for a deterministic result; past 1000 addresses, truncated as
 * Kubernetes does (truncate-endpoints.ts).
 */
import {
  type EndpointAddress,
  type EndpointPort,
  type EndpointSubset,
  type Endpoints,
  type Pod,
  type Service,
  HEADLESS_LABEL,
} from '@kemu/api';
import { isPodReady } from './conditions.js';
import { semanticEqual } from './semantic-equal.js';
import {
  type EndpointPod,
  compareIPv4,
  compareIPv4Keyed,
  endpointPods,
  findPort,
  hasSelector,
  ipv4Number,
  sortByIPv4,
} from './service-pods.js';
import { OVER_CAPACITY_ANNOTATION, TRUNCATED, truncateSubsets } from './truncate-endpoints.js';

/** What to write for one Service's Endpoints. */
export type EndpointsPlan = { action: 'none' } | { action: 'create' | 'update' | 'delete'; endpoints: Endpoints };

interface Entry {
  address: EndpointAddress;
  /** ipv4Number of the address, computed once per entry rather than per comparison. */
  ipKey: number;
  /** addressKey of the address. */
  key: string;
  /** portKey of the port. */
  portKey: string;
  ready: boolean;
  /** Undefined for a headless Service without ports. */
  port: EndpointPort | undefined;
}

/** The subsets a Service's Endpoints should hold, truncated, and whether they were. */
export interface DesiredEndpoints {
  subsets: EndpointSubset[];
  truncated: boolean;
}

/** Decides the Endpoints write for a Service (undefined: deleted) given all pods and the existing object. */
export function reconcileEndpoints(
  service: Service | undefined,
  pods: readonly Pod[],
  existing: Endpoints | undefined,
): EndpointsPlan {
  return planEndpoints(service, existing, (svc) => desiredEndpoints(svc, pods));
}

/** The Service's desired subsets from its pods, truncated as Kubernetes truncates them. */
export function desiredEndpoints(service: Service, pods: readonly Pod[]): DesiredEndpoints {
  return truncateSubsets(desiredSubsets(service, pods));
}

/** reconcileEndpoints with the desired subsets given (a caller may reuse them while the pods are unchanged). */
export function planEndpoints(
  service: Service | undefined,
  existing: Endpoints | undefined,
  desired: (service: Service) => DesiredEndpoints,
): EndpointsPlan {
  if (!service) return existing ? { action: 'delete', endpoints: existing } : { action: 'none' };
  if (!hasSelector(service)) return { action: 'none' };
  const labels = endpointsLabels(service);
  const { subsets, truncated } = desired(service);
  if (!existing) {
    const endpoints: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: service.metadata.name,
        namespace: service.metadata.namespace ?? 'default',
        ...(labels ? { labels } : {}),
        ...(truncated ? { annotations: { [OVER_CAPACITY_ANNOTATION]: TRUNCATED } } : {}),
      },
      ...(subsets.length > 0 ? { subsets } : {}),
    };
    return { action: 'create', endpoints };
  }
  const annotations = withOverCapacity(existing.metadata.annotations, truncated);
  if (
    semanticEqual(existing.metadata.labels, labels) &&
    semanticEqual(existing.metadata.annotations, annotations) &&
    semanticEqual(existing.subsets, subsets)
  )
    return { action: 'none' };
  const { labels: _old, annotations: _oldAnnotations, ...meta } = existing.metadata;
  const { subsets: _oldSubsets, ...rest } = existing;
  const endpoints: Endpoints = {
    ...rest,
    metadata: { ...meta, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    ...(subsets.length > 0 ? { subsets } : {}),
  };
  return { action: 'update', endpoints };
}

/** The annotations with the over-capacity mark set or removed; undefined when none are left. */
function withOverCapacity(
  annotations: Record<string, string> | undefined,
  truncated: boolean,
): Record<string, string> | undefined {
  const out = { ...(annotations ?? {}) };
  if (truncated) out[OVER_CAPACITY_ANNOTATION] = TRUNCATED;
  else delete out[OVER_CAPACITY_ANNOTATION];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The Service's labels, plus the headless label for a headless Service; undefined when there are none. */
export function endpointsLabels(service: Service): Record<string, string> | undefined {
  const labels = { ...(service.metadata.labels ?? {}) };
  if (service.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return Object.keys(labels).length > 0 ? labels : undefined;
}

/** The repacked, sorted subsets for a Service. */
export function desiredSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] {
  return repack(entriesFor(service, pods));
}

function entriesFor(service: Service, pods: readonly Pod[]): Entry[] {
  const entries: Entry[] = [];
  for (const pod of pods) {
    let cached = podEntries.get(pod);
    if (cached?.service !== service) podEntries.set(pod, (cached = { service, entries: podEntriesFor(service, pod) }));
    for (const e of cached.entries) entries.push(e);
  }
  return entries;
}

/**
 * Each pod object's entries, built once and kept while the pod object (the view replaces
 * it on every change) and the Service object stay, so a sync rebuilds only changed pods.
 */
const podEntries = new WeakMap<Pod, { service: Service; entries: Entry[] }>();

function podEntriesFor(service: Service, pod: Pod): Entry[] {
  const tolerateUnready = service.spec.publishNotReadyAddresses === true;
  const ports = service.spec.ports ?? [];
  const ep = endpointPods(service, [pod], tolerateUnready)[0];
  if (!ep) return [];
  const address = addressOf(ep);
  const key = addressKey(address);
  const ipKey = ipv4Number(ep.ip);
  const ready = tolerateUnready || isPodReady(pod);
  if (ports.length === 0)
    return service.spec.clusterIP === 'None'
      ? [{ address, key, portKey: portKey(undefined), ipKey, ready, port: undefined }]
      : [];
  const entries: Entry[] = [];
  for (const sp of ports) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const endpointPort: EndpointPort = {
      ...(sp.name ? { name: sp.name } : {}),
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    };
    entries.push({ address, key, portKey: portKey(endpointPort), ipKey, ready, port: endpointPort });
  }
  return entries;
}

function addressOf({ pod, ip, hostname, targetRef }: EndpointPod): EndpointAddress {
  return {
    ip,
    ...(hostname ? { hostname } : {}),
    ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef,
  };
}

const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort | undefined) =>
  p ? `${p.name ?? ''}/${p.port}/${p.protocol ?? ''}/${p.appProtocol ?? ''}` : '-';

// RepackSubsets: port → the set of (address, ready) offering it; then ports grouped by identical sets.
function repack(entries: Entry[]): EndpointSubset[] {
  const byPort = new Map<string, { port: EndpointPort | undefined; list: Entry[] }>();
  for (const e of entries) {
    let group = byPort.get(e.portKey);
    if (!group) byPort.set(e.portKey, (group = { port: e.port, list: [] }));
    group.list.push(e);
  }
  const bySet = new Map<string, { addrs: Entry[]; ports: EndpointPort[] }>();
  for (const { port, list: unsorted } of byPort.values()) {
    const list = sortEntries(unsorted);
    // One port set (the common case) needs no key naming its thousands of addresses.
    const setKey = byPort.size === 1 ? '' : list.map((e) => `${e.key}=${e.ready}`).join(',');
    const subset = bySet.get(setKey) ?? { addrs: list, ports: [] };
    bySet.set(setKey, subset);
    if (port) subset.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const { addrs, ports } of bySet.values()) {
    const ready = addrs.filter((e) => e.ready).map((e) => e.address);
    const notReady = addrs.filter((e) => !e.ready).map((e) => e.address);
    ports.sort(
      (a, b) =>
        (a.name ?? '').localeCompare(b.name ?? '') ||
        a.port - b.port ||
        (a.protocol ?? '').localeCompare(b.protocol ?? ''),
    );
    subsets.push({
      ...(ready.length > 0 ? { addresses: ready } : {}),
      ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
      ...(ports.length > 0 ? { ports } : {}),
    });
  }
  return subsets.sort(compareSubsets);
}

/**
 * One port's entries, one per address (the last of a repeated ip/uid, in the place of
 * its first), ordered by address then target uid: sorted by address numerically, then
 * each run of one address (almost always a single entry) de-duplicated and ordered by
 * uid, as sorting the de-duplicated entries with compareEntries would.
 */
function sortEntries(entries: readonly Entry[]): Entry[] {
  const byAddress = sortByIPv4(
    entries,
    (e) => e.address.ip,
    (e) => e.ipKey,
  );
  const out: Entry[] = [];
  for (let i = 0; i < byAddress.length; ) {
    const first = byAddress[i] as Entry;
    let end = i + 1;
    while (end < byAddress.length && compareAddresses(first, byAddress[end] as Entry) === 0) end++;
    if (end === i + 1) out.push(first);
    else {
      const unique = new Map<string, Entry>();
      for (let j = i; j < end; j++) unique.set((byAddress[j] as Entry).key, byAddress[j] as Entry);
      out.push(...[...unique.values()].sort(compareEntries));
    }
    i = end;
  }
  return out;
}

function compareAddresses(a: Entry, b: Entry): number {
  return compareIPv4Keyed(a.address.ip, a.ipKey, b.address.ip, b.ipKey);
}

function compareEntries(a: Entry, b: Entry): number {
  const ua = a.address.targetRef?.uid ?? '';
  const ub = b.address.targetRef?.uid ?? '';
  return compareIPv4Keyed(a.address.ip, a.ipKey, b.address.ip, b.ipKey) || (ua === ub ? 0 : ua.localeCompare(ub));
}

function compareSubsets(a: EndpointSubset, b: EndpointSubset): number {
  const first = (s: EndpointSubset) => (s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? '';
  const ports = (s: EndpointSubset) => (s.ports ?? []).map(portKey).join(',');
  return compareIPv4(first(a), first(b)) || ports(a).localeCompare(ports(b));
}
