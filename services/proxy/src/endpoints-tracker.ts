/**
 * Records EndpointSlices per ServicePortName, the way kube-proxy's endpoint slice cache
 * does: a slice belongs to the service named by its `kubernetes.io/service-name` label;
 * each of its ports (by name) gives, for every endpoint, `address[0]:port` with the
 * endpoint's conditions. Several slices of one service are merged; an address that
 * appears twice keeps its readiest copy.
 */
import { type EndpointSlice, type KubeObject, SERVICE_NAME_LABEL, deepEqual } from '@kemu/api';
import { servicePortName } from './service-tracker.js';

/** One endpoint of a service port, with its EndpointSlice conditions. */
export interface EndpointInfo {
  /** `ip:port`, what the balancer hands out. */
  endpoint: string;
  ip: string;
  port: number;
  /** nil in the slice counts as true (kube-proxy's reading). */
  ready: boolean;
  /** nil in the slice counts as true. */
  serving: boolean;
  /** nil in the slice counts as false. */
  terminating: boolean;
  nodeName: string | undefined;
}

/**
 * Keeps endpoints per service port, fed by informer handlers. Each handler says whether
 * the slice's endpoints changed, so a change the proxy does not read asks for no sync.
 */
export interface EndpointsTracker {
  onEndpointSliceAdd(slice: EndpointSlice): boolean;
  onEndpointSliceUpdate(slice: EndpointSlice): boolean;
  onEndpointSliceDelete(slice: EndpointSlice): boolean;
  /** Replaces everything with a full listing (after the informer has synced). */
  replaceAll(slices: readonly EndpointSlice[]): void;
  /** The merged endpoints of one service port, sorted by endpoint. */
  endpointsFor(servicePort: string): EndpointInfo[];
}

/** The endpoints of one slice, grouped by the ServicePortName they serve. */
export function endpointsOfSlice(slice: EndpointSlice): Map<string, EndpointInfo[]> {
  const out = new Map<string, EndpointInfo[]>();
  const serviceName = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  if (!serviceName || slice.addressType !== 'IPv4') return out;
  const namespace = slice.metadata.namespace ?? 'default';
  for (const p of slice.ports ?? []) {
    if (typeof p.port !== 'number') continue;
    const list: EndpointInfo[] = [];
    for (const e of slice.endpoints ?? []) {
      const ip = e.addresses?.[0];
      if (!ip) continue;
      list.push({
        endpoint: `${ip}:${p.port}`,
        ip,
        port: p.port,
        ready: e.conditions?.ready ?? true,
        serving: e.conditions?.serving ?? true,
        terminating: e.conditions?.terminating ?? false,
        nodeName: e.nodeName,
      });
    }
    out.set(servicePortName(namespace, serviceName, p.name), list);
  }
  return out;
}

function sameEndpoints(a: Map<string, EndpointInfo[]>, b: Map<string, EndpointInfo[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [spn, list] of a) if (!deepEqual(list, b.get(spn))) return false;
  return true;
}

function rank(e: EndpointInfo): number {
  return (e.ready ? 4 : 0) + (e.serving ? 2 : 0) + (e.terminating ? 0 : 1);
}

/** Creates an empty tracker. */
export function createEndpointsTracker(): EndpointsTracker {
  const bySlice = new Map<string, Map<string, EndpointInfo[]>>();
  const slicesByPort = new Map<string, Set<string>>();
  const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

  /** Forgets a slice; true when it had endpoints. */
  function remove(sliceKey: string): boolean {
    const old = bySlice.get(sliceKey);
    if (!old) return false;
    bySlice.delete(sliceKey);
    for (const spn of old.keys()) {
      const set = slicesByPort.get(spn);
      set?.delete(sliceKey);
      if (set?.size === 0) slicesByPort.delete(spn);
    }
    return old.size > 0;
  }

  /** Records a slice; true when its endpoints differ from those recorded before. */
  function set(slice: EndpointSlice): boolean {
    const k = keyOf(slice);
    const ports = endpointsOfSlice(slice);
    const old = bySlice.get(k);
    if (old ? sameEndpoints(old, ports) : ports.size === 0) return false;
    remove(k);
    bySlice.set(k, ports);
    for (const spn of ports.keys()) {
      const s = slicesByPort.get(spn) ?? new Set<string>();
      s.add(k);
      slicesByPort.set(spn, s);
    }
    return true;
  }

  return {
    onEndpointSliceAdd: set,
    onEndpointSliceUpdate: set,
    onEndpointSliceDelete: (slice) => remove(keyOf(slice)),
    replaceAll(slices) {
      bySlice.clear();
      slicesByPort.clear();
      for (const s of slices) set(s);
    },
    endpointsFor(servicePort) {
      const merged = new Map<string, EndpointInfo>();
      for (const sliceKey of slicesByPort.get(servicePort) ?? []) {
        for (const e of bySlice.get(sliceKey)?.get(servicePort) ?? []) {
          const seen = merged.get(e.endpoint);
          if (!seen || rank(e) > rank(seen)) merged.set(e.endpoint, e);
        }
      }
      return [...merged.values()].sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0));
    },
  };
}
