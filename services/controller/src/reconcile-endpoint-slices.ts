/**
 * The EndpointSlices of a Service, pure (KUBERNETES.md §1.3). Endpoints are grouped by
 * the port set they resolve to (a named targetPort can differ per pod), in slices of at
 * most MAX_ENDPOINTS_PER_SLICE per group; a Service matching nothing still gets one
 * empty slice. Existing slices are
 * reused (same ports first, then any), so a slice keeps the name it was created with;
 * slices of a deleted or recreated Service, and surplus ones, are deleted. Services
 * without a selector are not this controller's business.
 */
import {
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
  type Pod,
  type Service,
  HEADLESS_LABEL,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
} from '@kemu/api';
import { isPodReady } from './conditions.js';
import { semanticEqual } from './semantic-equal.js';
import {
  type EndpointPod,
  compareIPv4,
  endpointPods,
  findPort,
  hasSelector,
  ipv4Number,
  sortByIPv4,
} from './service-pods.js';

/** Endpoints per slice, kube-controller-manager's --max-endpoints-per-slice default: a pod's change rewrites one slice of at most this many, not every endpoint of its Service. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** This controller's managed-by value, checked exactly by conformance. */
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';

/** The slice writes for one Service. */
export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/** Everything the slice reconciler reads. */
export interface SliceInput {
  /** The Service, undefined when it is gone. */
  service: Service | undefined;
  pods: readonly Pod[];
  /** The zone of a node, from its topology label. */
  zoneOf: (nodeName: string) => string | undefined;
  /** The slices this controller manages for the Service's name (see isManagedSliceOf). */
  existing: readonly EndpointSlice[];
  /** A fresh slice name for `<service>-` (generateName). */
  generateName: (prefix: string) => string;
}

/** Endpoints that resolve to one port set, sorted by address. */
export interface EndpointGroup {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}
type Group = EndpointGroup;

/** True for a slice this controller manages for Service `namespace/name`. */
export function isManagedSliceOf(slice: EndpointSlice, namespace: string, name: string): boolean {
  const labels = slice.metadata.labels ?? {};
  return (
    (slice.metadata.namespace ?? 'default') === namespace &&
    labels[SERVICE_NAME_LABEL] === name &&
    labels[MANAGED_BY_LABEL] === ENDPOINTSLICE_CONTROLLER
  );
}

/** Plans the slice writes for a Service. */
export function reconcileEndpointSlices(input: SliceInput): SlicePlan {
  return planEndpointSlices(input, (svc) => endpointGroups(svc, input.pods, input.zoneOf));
}

/**
 * reconcileEndpointSlices with the endpoint groups given (`input.pods` is not read): a
 * caller may reuse the groups while the Service, its pods and the zones are unchanged.
 */
export function planEndpointSlices(
  input: Omit<SliceInput, 'pods' | 'zoneOf'>,
  groupsOf: (service: Service) => readonly EndpointGroup[],
): SlicePlan {
  const { service, existing } = input;
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  if (!service) {
    plan.delete.push(...existing);
    return plan;
  }
  // A Service without a selector gets its slices from elsewhere (by hand, mirroring, the
  // apiserver for `kubernetes`): left alone, as Kubernetes leaves them.
  if (!hasSelector(service)) return plan;
  const owned = existing
    .filter((s) => isOwnedBy(s, service))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  plan.delete.push(...existing.filter((s) => !isOwnedBy(s, service)));

  const groups = groupsOf(service);
  const unused = new Set(owned);
  const mine = new Map<Group, EndpointSlice[]>();
  for (const group of groups) {
    const same = [...unused].filter((s) => semanticEqual(s.ports, group.ports));
    for (const s of same) unused.delete(s);
    mine.set(group, same);
  }
  for (const group of groups) {
    for (const [i, { current, endpoints }] of packGroup(group, mine.get(group) ?? [], unused).entries()) {
      const desired = buildSlice(service, { ports: group.ports, endpoints }, current, input.generateName);
      if (!current) plan.create.push(desired);
      else if (endpoints.length === 0 && (group.endpoints.length > 0 || i > 0)) plan.delete.push(current);
      else if (!sameSlice(current, desired)) plan.update.push(desired);
    }
  }
  plan.delete.push(...unused);
  return plan;
}

/** A slice's planned content: the existing slice it goes to (none: a new one) and its endpoints. */
interface Packed {
  current: EndpointSlice | undefined;
  endpoints: Endpoint[];
}

/**
 * Packs a group's endpoints into slices of at most MAX_ENDPOINTS_PER_SLICE, as
 * kube-controller-manager's slice reconciler does: an endpoint stays in the slice that
 * holds it (updated in place), new ones fill slices with room, the rest go to new slices
 * (taking a slice of another port set from `unused` before creating one). A slice left
 * empty is deleted unless it is the group's only one.
 */
function packGroup(group: Group, slices: readonly EndpointSlice[], unused: Set<EndpointSlice>): Packed[] {
  const desired = new Map(group.endpoints.map((e) => [e.addresses[0] ?? '', e]));
  const placed = new Set<string>();
  const out: Packed[] = slices.map((current) => {
    const endpoints: Endpoint[] = [];
    for (const e of current.endpoints ?? []) {
      const ip = e.addresses[0] ?? '';
      const next = desired.get(ip);
      if (!next || placed.has(ip) || endpoints.length >= MAX_ENDPOINTS_PER_SLICE) continue;
      placed.add(ip);
      endpoints.push(next);
    }
    return { current, endpoints };
  });
  const rest = group.endpoints.filter((e) => !placed.has(e.addresses[0] ?? ''));
  let next = 0;
  for (const p of out) {
    const room = MAX_ENDPOINTS_PER_SLICE - p.endpoints.length;
    if (room > 0) p.endpoints.push(...rest.slice(next, next + room));
    next = Math.min(rest.length, next + Math.max(0, room));
  }
  while (next < rest.length || out.length === 0) {
    const current = [...unused][0];
    if (current) unused.delete(current);
    out.push({ current, endpoints: rest.slice(next, next + MAX_ENDPOINTS_PER_SLICE) });
    next += MAX_ENDPOINTS_PER_SLICE;
  }
  // Each slice's endpoints in the group's order (by address): no sort of every slice.
  const slot = new Map<Endpoint, Endpoint[]>();
  for (const p of out) {
    for (const e of p.endpoints) slot.set(e, p.endpoints);
    p.endpoints.length = 0;
  }
  for (const e of group.endpoints) slot.get(e)?.push(e);
  return out;
}

function isOwnedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some(
    (r) => r.kind === 'Service' && r.uid === service.metadata.uid && r.controller === true,
  );
}

/** The Service's endpoints grouped by port set, each group sorted by address and the groups by their first. */
export function endpointGroups(
  service: Service,
  pods: readonly Pod[],
  zoneOf: (node: string) => string | undefined,
): EndpointGroup[] {
  const zones = new Map<string, string | undefined>();
  const zone = (node: string) => {
    if (!zones.has(node)) zones.set(node, zoneOf(node));
    return zones.get(node);
  };
  const groups = new Map<string, { ports: EndpointPort[]; members: PodEndpoint[] }>();
  for (const pod of pods) {
    const z = pod.spec.nodeName ? zone(pod.spec.nodeName) : undefined;
    let c = podEndpoints.get(pod);
    if (!c || c.service !== service || c.zone !== z) podEndpoints.set(pod, (c = podEndpoint(service, pod, z)));
    if (!c.endpoint) continue;
    const group = groups.get(c.portsKey) ?? { ports: c.ports, members: [] };
    groups.set(c.portsKey, group);
    group.members.push(c);
  }
  if (groups.size === 0) return [{ ports: [], endpoints: [] }];
  const list: EndpointGroup[] = [];
  for (const { ports, members } of groups.values()) {
    const sorted = sortByIPv4(
      members,
      (m) => m.ip,
      (m) => m.ipKey,
    );
    list.push({ ports, endpoints: sorted.map((m) => m.endpoint as Endpoint) });
  }
  return list.sort((a, b) => compareIPv4(a.endpoints[0]?.addresses[0] ?? '', b.endpoints[0]?.addresses[0] ?? ''));
}

/** What a pod contributes to a Service's slices, for one Service object and the zone of its node. */
interface PodEndpoint {
  service: Service;
  zone: string | undefined;
  /** Undefined when the pod is not one of the Service's endpoints. */
  endpoint: Endpoint | undefined;
  ip: string;
  ipKey: number;
  ports: EndpointPort[];
  portsKey: string;
}

/**
 * Each pod object's endpoint, built once and kept while the pod object (the view replaces
 * it on every change), the Service object and the zone stay: a sync then reuses the
 * endpoints of unchanged pods, and finds their slices unchanged by reference.
 */
const podEndpoints = new WeakMap<Pod, PodEndpoint>();

function podEndpoint(service: Service, pod: Pod, zone: string | undefined): PodEndpoint {
  const ep = endpointPods(service, [pod], true)[0];
  if (!ep) return { service, zone, endpoint: undefined, ip: '', ipKey: -1, ports: [], portsKey: '' };
  const ports = endpointPorts(service, pod);
  const publishNotReady = service.spec.publishNotReadyAddresses === true;
  return {
    service,
    zone,
    endpoint: endpointOf(ep, publishNotReady, () => zone),
    ip: ep.ip,
    ipKey: ipv4Number(ep.ip),
    ports,
    portsKey: JSON.stringify(ports),
  };
}

// Slice port names are pointers in Kubernetes: an unnamed port is present as "".
function endpointPorts(service: Service, pod: Pod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const sp of service.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    ports.push({
      name: sp.name ?? '',
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  return ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
}

// podToEndpoint: serving = ready, terminating = deletionTimestamp set, ready = publishNotReady || (serving && !terminating).
function endpointOf(
  { pod, ip, hostname, targetRef }: EndpointPod,
  publishNotReady: boolean,
  zoneOf: (node: string) => string | undefined,
): Endpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  const nodeName = pod.spec.nodeName;
  const zone = nodeName ? zoneOf(nodeName) : undefined;
  return {
    addresses: [ip],
    conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
    ...(hostname ? { hostname } : {}),
    targetRef,
    ...(nodeName ? { nodeName } : {}),
    ...(zone ? { zone } : {}),
  };
}

function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  labels[SERVICE_NAME_LABEL] = service.metadata.name;
  labels[MANAGED_BY_LABEL] = ENDPOINTSLICE_CONTROLLER;
  if (service.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

function buildSlice(
  service: Service,
  group: Group,
  current: EndpointSlice | undefined,
  generateName: (prefix: string) => string,
): EndpointSlice {
  const prefix = `${service.metadata.name}-`;
  const ownerReferences = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      name: service.metadata.name,
      uid: service.metadata.uid as string,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  const metadata = {
    ...(current?.metadata ?? {
      name: generateName(prefix),
      namespace: service.metadata.namespace ?? 'default',
      generateName: prefix,
    }),
    labels: sliceLabels(service),
    ownerReferences,
  };
  return {
    ...(current ?? {}),
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata,
    addressType: 'IPv4',
    endpoints: group.endpoints,
    ports: group.ports,
  };
}

/**
 * The desired endpoints an existing slice object was last found equal to: while neither
 * changes (the view replaces a slice object on every write, endpointGroups reuses the
 * endpoint objects of unchanged pods) they are compared by reference, not deeply.
 */
const equalEndpoints = new WeakMap<EndpointSlice, readonly Endpoint[]>();

function sameSlice(current: EndpointSlice, desired: EndpointSlice): boolean {
  const same =
    semanticEqual(current.metadata.labels, desired.metadata.labels) &&
    semanticEqual(current.metadata.ownerReferences, desired.metadata.ownerReferences) &&
    current.addressType === desired.addressType &&
    semanticEqual(current.ports, desired.ports);
  if (!same) return false;
  const want = desired.endpoints ?? [];
  const known = equalEndpoints.get(current);
  if (known && known.length === want.length && known.every((e, i) => e === want[i])) return true;
  if (!semanticEqual(current.endpoints, want)) return false;
  equalEndpoints.set(current, want);
  return true;
}
