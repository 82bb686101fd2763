/** Pure derivations for the views: lookups, shares, anatomy, kubectl commands. */

const byKey = (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const NONE = [];

/** `b` when it holds the same elements as `a` in the same order, else `a`. */
function same(a, b) {
  if (!b || a.length !== b.length) return a;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a;
  return b;
}

/** The arrays of `prev` with each summary replaced by its current one, when every key is still there. */
function refreshed(summaries, prev) {
  let count = 0;
  const parts = {};
  for (const kind of ['nodes', 'pods', 'services', 'slices']) {
    const out = new Array(prev[kind].length);
    for (let i = 0; i < out.length; i++) {
      const x = summaries.get(prev[kind][i].key);
      if (!x) return undefined;
      out[i] = x;
    }
    count += out.length;
    parts[kind] = out;
  }
  return count === summaries.size ? parts : undefined;
}

/**
 * Summaries split by kind and sorted by key, with lookups by IP and slices by Service.
 * Given the previous index, a change costs one pass and no sort when no object came or
 * went (the keys, hence the order, are the same), and every part that did not change is
 * the previous one's own object, so views memoized on it skip their work.
 */
export function indexSummaries(summaries, prev) {
  let parts = prev ? refreshed(summaries, prev) : undefined;
  if (!parts) {
    parts = { nodes: [], pods: [], services: [], slices: [] };
    for (const x of summaries.values()) {
      if (x.kind === 'node') parts.nodes.push(x);
      else if (x.kind === 'pod') parts.pods.push(x);
      else if (x.kind === 'service') parts.services.push(x);
      else if (x.kind === 'slice') parts.slices.push(x);
    }
    for (const a of Object.values(parts)) a.sort(byKey);
  }
  const nodes = same(parts.nodes, prev?.nodes);
  const pods = same(parts.pods, prev?.pods);
  const services = same(parts.services, prev?.services);
  const slices = same(parts.slices, prev?.slices);
  let podByIP = prev?.podByIP;
  if (pods !== prev?.pods) {
    podByIP = new Map();
    for (const p of pods) if (p.ip && p.role === 'workload') podByIP.set(p.ip, p);
    for (const p of pods) if (p.ip && !podByIP.has(p.ip)) podByIP.set(p.ip, p);
  }
  const serviceByIP =
    services === prev?.services
      ? prev.serviceByIP
      : new Map(services.filter((s) => s.clusterIP).map((s) => [s.clusterIP, s]));
  let slicesByService = prev?.slicesByService;
  if (slices !== prev?.slices) {
    slicesByService = new Map();
    for (const e of slices) {
      const k = `${e.namespace}/${e.service}`;
      const list = slicesByService.get(k);
      // A Service's list is its previous one while its slices are the same objects.
      if (list) list.push(e);
      else slicesByService.set(k, [e]);
    }
    for (const [k, list] of slicesByService) slicesByService.set(k, same(list, prev?.slicesByService.get(k)));
  }
  // Nothing changed (the page re-rendered for its connection or mode): the previous index itself.
  if (nodes === prev?.nodes && pods === prev.pods && services === prev.services && slices === prev.slices) return prev;
  return { nodes, pods, services, slices, podByIP, serviceByIP, slicesByService };
}

/** `ip:port` → the IP. */
export function ipOf(address) {
  const i = (address ?? '').lastIndexOf(':');
  return i < 0 ? address : address.slice(0, i);
}

/** The pod name at an address, or the address. */
export function podName(index, address) {
  const p = index.podByIP.get(ipOf(address));
  return p ? `${p.namespace}/${p.name}` : address;
}

/**
 * Who really sent a DNS query: the dns server sees the address a node's proxy dialed
 * from; the proxy's UDP flow record (written when the flow ends) maps that address back
 * to the client. Returns the client pod (or address), and whether it came through a proxy.
 */
export function dnsClients(flows) {
  const byProxyAddress = new Map();
  for (const f of flows)
    if (f.kind === 'conn' && f.protocol === 'UDP' && f.proxyAddress) byProxyAddress.set(f.proxyAddress, f);
  return (d) => byProxyAddress.get(d.client)?.client;
}

/** The Service of a ServicePortName (`ns/name:port` → `ns/name`). */
export function serviceOf(spn) {
  return spn.split(':')[0];
}

/** Slices of a Service (the same array while they do not change). */
export function slicesOf(index, svc) {
  return index.slicesByService.get(`${svc.namespace}/${svc.name}`) ?? NONE;
}

/** Whether labels match a selector. */
export function matches(selector, labels) {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/**
 * The anatomy of a Service: the pods its selector matches, near misses (same namespace,
 * exactly one selector label absent or different), its slices, and in plain words why it
 * has no ready endpoint when it has none.
 */
export function anatomy(index, svc) {
  const keys = Object.keys(svc.selector);
  const inNs = index.pods.filter((p) => p.namespace === svc.namespace && p.role === 'workload');
  const matching = inNs.filter((p) => matches(svc.selector, p.labels));
  const near = [];
  for (const p of inNs) {
    if (matching.includes(p)) continue;
    const differ = keys.filter((k) => p.labels[k] !== svc.selector[k]);
    if (differ.length !== 1) continue;
    const k = differ[0];
    const got = p.labels[k];
    // One label off: absent among several that match, or a value a typo away.
    if (got === undefined ? keys.length > 1 : similar(got, svc.selector[k])) {
      near.push({ pod: p, label: k, want: svc.selector[k], got });
    }
  }
  const slices = slicesOf(index, svc);
  const endpoints = slices.flatMap((e) => e.endpoints.map((ep) => ({ ...ep, slice: e })));
  const ready = endpoints.filter((e) => e.ready);
  let why = '';
  if (keys.length === 0) why = 'This Service has no selector: its endpoints are whatever EndpointSlices name it.';
  if (ready.length === 0) {
    if (keys.length === 0) why ||= 'No EndpointSlice lists a ready endpoint for it.';
    else if (matching.length === 0)
      why =
        near.length > 0
          ? `No pod matches the selector ${selectorText(svc.selector)}; ${near.length} pod(s) differ in one label (see near misses).`
          : `No pod in namespace ${svc.namespace} matches the selector ${selectorText(svc.selector)}.`;
    else if (matching.every((p) => !p.ready))
      why = `${matching.length} pod(s) match, but none is Ready: connections to ${svc.clusterIP} are refused.`;
    else why = 'Matching pods are Ready but the EndpointSlice does not list them yet (the controller is behind).';
  }
  return { matching, near, slices, endpoints, ready, why };
}

/** Whether two label values are a typo apart: one a prefix of the other, or 1 edit (2 for values of 6 or more characters). */
export function similar(a, b) {
  if (a.startsWith(b) || b.startsWith(a)) return true;
  if (Math.abs(a.length - b.length) > 2) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] <= (Math.min(a.length, b.length) >= 6 ? 2 : 1);
}

/** `k=v,k2=v2`. */
export function selectorText(selector) {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Connections per endpoint of each Service, against an even share of its candidates. */
export function shares(flows) {
  const by = new Map();
  for (const f of flows) {
    if (f.kind !== 'conn' || !f.endpoint) continue;
    const w = f.weight ?? 1;
    const s = by.get(f.service) ?? { service: f.service, total: 0, endpoints: new Map(), candidates: new Set() };
    s.total += w;
    s.endpoints.set(f.endpoint, (s.endpoints.get(f.endpoint) ?? 0) + w);
    for (const c of f.candidates) s.candidates.add(c);
    by.set(f.service, s);
  }
  return [...by.values()]
    .sort((a, b) => (a.service < b.service ? -1 : 1))
    .map((s) => {
      const n = Math.max(s.candidates.size, s.endpoints.size, 1);
      const rows = [...new Set([...s.candidates, ...s.endpoints.keys()])].sort().map((endpoint) => {
        const count = s.endpoints.get(endpoint) ?? 0;
        return { endpoint, count, share: count / s.total, even: 1 / n };
      });
      return { service: s.service, total: s.total, rows };
    });
}

/** The kubectl command that shows a fact. */
export const kubectl = {
  nodes: () => 'kubectl get nodes -o wide',
  pod: (p) => `kubectl get pod -n ${p.namespace} ${p.name} -o wide`,
  podReady: (p) => `kubectl get pod -n ${p.namespace} ${p.name} -o jsonpath='{.status.conditions}'`,
  podsOnNode: (n) => `kubectl get pods -A -o wide --field-selector spec.nodeName=${n.name}`,
  service: (s) => `kubectl get svc -n ${s.namespace} ${s.name} -o wide`,
  selector: (s) => `kubectl get pods -n ${s.namespace} -l ${selectorText(s.selector)} --show-labels`,
  slices: (s) => `kubectl get endpointslices -n ${s.namespace} -l kubernetes.io/service-name=${s.name} -o yaml`,
  proxyLog: (node) => `kubectl logs -n kube-system kube-proxy-${node}`,
  flows: (service) => `kemu flows --service ${service}`,
  dns: () => 'kubectl logs -n kube-system -l k8s-app=kube-dns',
};
