/**
 * Which pods back a Service and on which port, as the endpoints controllers decide it:
 * the selector matches by equality within the Service's namespace, and a named
 * targetPort is resolved per pod against its containers' port names (podutil.FindPort).
 */
import { type ObjectReference, type Pod, type Service, type ServicePort, selectorMatches } from '@kemu/api';
import { isPodTerminal } from './conditions.js';

/** True when the Service has a non-empty selector (a nil or empty selector means "endpoints are managed by hand"). */
export function hasSelector(service: Service): boolean {
  return Object.keys(service.spec?.selector ?? {}).length > 0;
}

/** Pods of the Service's namespace that its selector matches. */
export function selectedPods(service: Service, pods: readonly Pod[]): Pod[] {
  if (!hasSelector(service)) return [];
  const ns = service.metadata.namespace ?? 'default';
  return pods.filter(
    (p) => (p.metadata.namespace ?? 'default') === ns && selectorMatches(service.spec.selector, p.metadata.labels),
  );
}

/** The pod's IPv4 address, if it has one. */
export function podIPv4(pod: Pod): string | undefined {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)];
  return ips.find((ip): ip is string => typeof ip === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(ip));
}

/**
 * ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless
 * `includeTerminating`.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!podIPv4(pod)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** A pod that belongs in a Service's endpoints, with what Endpoints and EndpointSlices both record of it. */
export interface EndpointPod {
  pod: Pod;
  /** The pod's IPv4 address. */
  ip: string;
  /** Set when the pod's subdomain names the Service (endpointHostname). */
  hostname: string | undefined;
  targetRef: ObjectReference;
}

/** The Service's selected pods that belong in its endpoints (shouldPodBeInEndpoints), in the order given. */
export function endpointPods(service: Service, pods: readonly Pod[], includeTerminating: boolean): EndpointPod[] {
  return selectedPods(service, pods)
    .filter((pod) => shouldPodBeInEndpoints(pod, includeTerminating))
    .map((pod) => ({
      pod,
      ip: podIPv4(pod) as string,
      hostname: endpointHostname(pod, service),
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata.namespace ?? 'default',
        name: pod.metadata.name,
        uid: pod.metadata.uid,
      },
    }));
}

/** The pod's port number for a service port, or undefined when a named targetPort is not declared by the pod. */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target === 0 ? servicePort.port : target;
  const protocol = servicePort.protocol ?? 'TCP';
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** hostname for an endpoint: the pod's spec.hostname when its subdomain names the Service (ShouldSetHostname). */
export function endpointHostname(pod: Pod, service: Service): string | undefined {
  const hostname = pod.spec.hostname;
  if (!hostname) return undefined;
  const sameNamespace = (pod.metadata.namespace ?? 'default') === (service.metadata.namespace ?? 'default');
  return pod.spec.subdomain === service.metadata.name && sameNamespace ? hostname : undefined;
}

/**
 * A dotted IPv4 address as one number that orders as compareIPv4 does, or -1 for one
 * it cannot stand for (empty, or an octet past 255): sorting thousands of endpoints
 * compares these instead of splitting both strings at every comparison.
 */
export function ipv4Number(ip: string): number {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || octet > 255) return -1;
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      digits++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0 || octet > 255) return -1;
  return n * 256 + octet;
}

/** compareIPv4 over addresses with their ipv4Number keys precomputed (the keys when both are valid). */
export function compareIPv4Keyed(a: string, ka: number, b: string, kb: number): number {
  return ka >= 0 && kb >= 0 ? ka - kb : compareIPv4(a, b);
}

/**
 * The items ordered by address as a stable sort with compareIPv4 orders them, sorting
 * numbers instead of calling a comparator: each item's ipv4Number scaled, plus its
 * position (so equal addresses keep their order), in a Float64Array (exact below 2^52:
 * 2^32 addresses times 2^20 items). An invalid address, or more items, falls back to
 * the comparator.
 */
export function sortByIPv4<T>(items: readonly T[], ipOf: (item: T) => string, keyOf: (item: T) => number): T[] {
  const n = items.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = keyOf(items[i] as T);
    if (k < 0 || n >= POSITIONS) {
      return [...items].sort((a, b) => compareIPv4Keyed(ipOf(a), keyOf(a), ipOf(b), keyOf(b)));
    }
    keys[i] = k * POSITIONS + i;
  }
  keys.sort();
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = items[(keys[i] as number) % POSITIONS] as T;
  return out;
}

const POSITIONS = 2 ** 20;

/** Orders dotted IPv4 addresses numerically (10.244.1.9 before 10.244.1.10); an empty address sorts first. */
export function compareIPv4(a: string, b: string): number {
  const pa = a ? a.split('.').map(Number) : [];
  const pb = b ? b.split('.').map(Number) : [];
  for (let i = 0; i < 4; i++) {
    const x = pa[i] ?? -1;
    const y = pb[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}
