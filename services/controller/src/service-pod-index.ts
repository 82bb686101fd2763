/**
 * Which pods each selector Service matches, kept up to date from the informer's changes
 * instead of filtering every pod of the namespace on every sync (a 10 000-pod growth run
 * spent most of the controller's CPU there). Services are indexed by one `key=value` pair
 * of their selector, so a pod change looks up only the Services one of its labels names;
 * each Service keeps its matching pods and a version that changes whenever what the
 * endpoints show of them may have (podEndpointsChanged), so a sync can reuse what it
 * computed for the same version. One index per informer, shared by the endpoints and
 * EndpointSlice controllers.
 */
import { type Pod, type Service, deepEqual, keyString, selectorMatches } from '@kemu/api';
import { type Change, type Informer, listObjects } from '@kemu/eventlog';
import { keyOf } from './controller.js';
import { podEndpointsChanged } from './service-keys.js';
import { hasSelector } from './service-pods.js';

/** The pods each selector Service matches. */
export interface ServicePodIndex {
  /** Keys of the selector Services of `namespace` whose selector matches `labels`. */
  servicesMatching(namespace: string, labels: Record<string, string> | undefined): string[];
  /** The pods the Service (by key) selects; empty for an unknown Service or one without a selector. */
  podsOf(serviceKey: string): Pod[];
  /** Changes whenever podsOf(serviceKey) may show differently to the endpoints (a pod joined, left or changed). */
  version(serviceKey: string): number;
}

interface Entry {
  selector: Record<string, string> | undefined;
  /** The selector pair the Service is indexed by (`key=value`). */
  pair: string | undefined;
  namespace: string;
  pods: Map<string, Pod>;
  version: number;
}

const indexes = new WeakMap<Informer, ServicePodIndex>();
let versions = 0;

/** The informer's index, created (and following its changes) on first use. */
export function servicePodIndex(informer: Informer): ServicePodIndex {
  let index = indexes.get(informer);
  if (!index) indexes.set(informer, (index = createServicePodIndex(informer)));
  return index;
}

function createServicePodIndex(informer: Informer): ServicePodIndex {
  const services = new Map<string, Entry>();
  /** Namespace → selector pair → Service keys. */
  const byPair = new Map<string, Map<string, Set<string>>>();
  /** Pod key → the Services it is in. */
  const podServices = new Map<string, Set<string>>();

  function servicesMatching(namespace: string, labels: Record<string, string> | undefined): string[] {
    const pairs = byPair.get(namespace);
    if (!pairs || !labels) return [];
    const out: string[] = [];
    for (const k in labels) {
      for (const svc of pairs.get(`${k}=${labels[k]}`) ?? []) {
        if (selectorMatches(services.get(svc)?.selector, labels)) out.push(svc);
      }
    }
    return out;
  }

  function setPod(podKey: string, pod: Pod | undefined, old: Pod | undefined): void {
    const before = podServices.get(podKey);
    const after = pod ? servicesMatching(pod.metadata.namespace ?? 'default', pod.metadata.labels) : [];
    const changed = !old || !pod || podEndpointsChanged(old, pod);
    for (const svc of before ?? []) {
      if (after.includes(svc)) continue;
      const entry = services.get(svc);
      if (entry?.pods.delete(podKey)) entry.version = ++versions;
    }
    for (const svc of after) {
      const entry = services.get(svc) as Entry;
      const joined = !entry.pods.has(podKey);
      entry.pods.set(podKey, pod as Pod);
      if (joined || changed) entry.version = ++versions;
    }
    if (after.length > 0) podServices.set(podKey, new Set(after));
    else podServices.delete(podKey);
  }

  function unindex(key: string, entry: Entry): void {
    if (entry.pair) byPair.get(entry.namespace)?.get(entry.pair)?.delete(key);
    for (const podKey of entry.pods.keys()) podServices.get(podKey)?.delete(key);
    services.delete(key);
  }

  function setService(service: Service, deleted: boolean): void {
    const key = keyOf('services', service);
    const entry = services.get(key);
    const selector = hasSelector(service) ? service.spec.selector : undefined;
    if (!deleted && entry && deepEqual(entry.selector ?? {}, selector ?? {})) return;
    if (entry) unindex(key, entry);
    if (deleted) return;
    const namespace = service.metadata.namespace ?? 'default';
    const first = selector ? Object.keys(selector).sort()[0] : undefined;
    const pair = selector && first !== undefined ? `${first}=${selector[first]}` : undefined;
    const fresh: Entry = { selector, pair, namespace, pods: new Map(), version: ++versions };
    services.set(key, fresh);
    if (!pair) return;
    let pairs = byPair.get(namespace);
    if (!pairs) byPair.set(namespace, (pairs = new Map()));
    let keys = pairs.get(pair);
    if (!keys) pairs.set(pair, (keys = new Set()));
    keys.add(key);
    // A new or changed selector: the namespace's pods once (rare, unlike pod changes).
    for (const pod of listObjects(informer.view, 'pods', namespace)) {
      if (!selectorMatches(selector, pod.metadata.labels)) continue;
      const podKey = keyOf('pods', pod);
      fresh.pods.set(podKey, pod);
      let set = podServices.get(podKey);
      if (!set) podServices.set(podKey, (set = new Set()));
      set.add(key);
    }
  }

  for (const svc of listObjects(informer.view, 'services')) setService(svc, false);
  informer.on('services', {
    onAdd: (svc) => setService(svc, false),
    onUpdate: (_old, svc) => setService(svc, false),
    onDelete: (svc) => setService(svc, true),
  });
  const podKeyOf = (c: Change) => keyString(c.key);
  informer.on('pods', {
    onAdd: (pod, c) => setPod(podKeyOf(c), pod, undefined),
    onUpdate: (old, pod, c) => setPod(podKeyOf(c), pod, old),
    onDelete: (pod, c) => setPod(podKeyOf(c), undefined, pod),
  });

  return {
    servicesMatching,
    podsOf: (key) => [...(services.get(key)?.pods.values() ?? [])],
    version: (key) => services.get(key)?.version ?? 0,
  };
}
