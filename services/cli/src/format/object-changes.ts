/**
 * What changed between two versions of an object, as short human phrases
 * (`status.phase: Pending→Running`, `Ready: False→True`, `+10.244.2.5:8080`). Pure.
 *
 * Kubernetes-aware where a generic diff would read badly: conditions are compared by
 * type, container statuses by name and state, Endpoints and EndpointSlices as sets of
 * addresses, and heartbeat-only timestamps are folded into one word. Everything else is
 * a leaf-by-leaf diff of metadata (labels, annotations, deletionTimestamp, finalizers),
 * spec and status. Bookkeeping fields (resourceVersion, managedFields) are ignored.
 */
import type { KubeObject } from '@kemu/api';

type Json = unknown;
type Obj = Record<string, Json>;

/** At most this many phrases per change; the rest is counted in a last `… +N more`. */
export const MAX_CHANGES = 12;

const IGNORED_META = new Set(['resourceVersion', 'managedFields', 'generation', 'creationTimestamp', 'uid', 'name']);
const TIME_FIELDS = new Set(['lastHeartbeatTime', 'lastProbeTime', 'lastTransitionTime', 'renewTime']);

function isObj(v: Json): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: Json): string {
  if (v === undefined) return '∅';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function same(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Leaf-by-leaf diff of two JSON values under `path`. */
function diffValues(path: string, a: Json, b: Json, out: string[]): void {
  if (same(a, b)) return;
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diffValues(path ? `${path}.${k}` : k, a[k], b[k], out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => diffValues(`${path}[${i}]`, v, b[i], out));
    return;
  }
  if (a === undefined) out.push(`${path}: +${show(b)}`);
  else if (b === undefined) out.push(`${path}: -${show(a)}`);
  else out.push(`${path}: ${show(a)}→${show(b)}`);
}

interface Condition {
  type: string;
  status?: string;
  reason?: string;
  [k: string]: Json;
}

/** Conditions by type: `Ready: False→True`, `+Ready: True`; time-only changes are left out. */
function diffConditions(a: Condition[] | undefined, b: Condition[] | undefined, out: string[]): boolean {
  const before = new Map((a ?? []).map((c) => [c.type, c]));
  const after = new Map((b ?? []).map((c) => [c.type, c]));
  let timesOnly = false;
  for (const [type, c] of after) {
    const old = before.get(type);
    if (!old) out.push(`+${type}: ${c.status ?? '?'}`);
    else if (old.status !== c.status) out.push(`${type}: ${old.status}→${c.status}`);
    else if (old.reason !== c.reason) out.push(`${type} reason: ${show(old.reason)}→${show(c.reason)}`);
    else if (!same(old, c)) timesOnly = true;
  }
  for (const type of before.keys()) if (!after.has(type)) out.push(`-${type}`);
  return timesOnly;
}

function stateOf(cs: Obj | undefined): string {
  const state = isObj(cs?.state) ? cs.state : {};
  const [name, detail] = Object.entries(state)[0] ?? ['unknown', {}];
  const reason = isObj(detail) && typeof detail.reason === 'string' ? `(${detail.reason})` : '';
  return `${name}${reason}`;
}

/** Container statuses by name: state, ready and restarts. */
function diffContainerStatuses(a: Obj[] | undefined, b: Obj[] | undefined, label: string, out: string[]): void {
  const before = new Map((a ?? []).map((c) => [String(c.name), c]));
  for (const c of b ?? []) {
    const name = String(c.name);
    const old = before.get(name);
    const from = old ? stateOf(old) : undefined;
    const to = stateOf(c);
    if (from !== to) out.push(`${label} ${name}: ${from ?? '∅'}→${to}`);
    if (old && old.ready !== c.ready) out.push(`${label} ${name} ready: ${show(old.ready)}→${show(c.ready)}`);
    if (old && old.restartCount !== c.restartCount)
      out.push(`${label} ${name} restarts: ${show(old.restartCount)}→${show(c.restartCount)}`);
  }
}

/** Every address of an Endpoints object as `ip:port` → `ready` or `notReady`. */
function endpointsStates(obj: KubeObject | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of ((obj as Obj | undefined)?.subsets as Obj[] | undefined) ?? []) {
    const ports = ((s.ports as Obj[] | undefined) ?? []).map((p) => p.port);
    const portList = ports.length > 0 ? ports : [undefined];
    for (const [field, state] of [
      ['addresses', 'ready'],
      ['notReadyAddresses', 'notReady'],
    ] as const) {
      for (const a of (s[field] as Obj[] | undefined) ?? []) {
        for (const p of portList) out.set(`${String(a.ip)}${p === undefined ? '' : `:${p}`}`, state);
      }
    }
  }
  return out;
}

/** Every address of an EndpointSlice → its true conditions, e.g. `ready,serving`. */
function sliceStates(obj: KubeObject | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of ((obj as Obj | undefined)?.endpoints as Obj[] | undefined) ?? []) {
    const cond = isObj(e.conditions) ? e.conditions : {};
    const flags = ['ready', 'serving', 'terminating'].filter((k) => cond[k] === true);
    for (const ip of (e.addresses as string[] | undefined) ?? []) out.set(ip, flags.join(',') || 'not ready');
  }
  return out;
}

/** Addresses added (`+a`, with their state unless `plain` is it), removed (`-a`) and changed (`a: x→y`). */
function diffAddresses(a: Map<string, string>, b: Map<string, string>, plain: string, out: string[]): void {
  const label = (addr: string, st: string) => (st === plain ? addr : `${addr} (${st})`);
  for (const [addr, st] of [...b].sort()) {
    const old = a.get(addr);
    if (old === undefined) out.push(`+${label(addr, st)}`);
    else if (old !== st) out.push(`${addr}: ${old}→${st}`);
  }
  for (const [addr, st] of [...a].sort()) if (!b.has(addr)) out.push(`-${label(addr, st)}`);
}

function diffMetadata(a: Obj, b: Obj, out: string[]): void {
  if (!a.deletionTimestamp && b.deletionTimestamp) out.push('deletionTimestamp set');
  const rest = (m: Obj) =>
    Object.fromEntries(Object.entries(m).filter(([k]) => !IGNORED_META.has(k) && k !== 'deletionTimestamp'));
  diffValues('metadata', rest(a), rest(b), out);
}

/** Drops heartbeat-like timestamps so they do not show as changes of their own. */
function withoutTimes(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutTimes);
  if (!isObj(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !TIME_FIELDS.has(k))
      .map(([k, x]) => [k, withoutTimes(x)]),
  );
}

function diffPodStatus(a: Obj, b: Obj, out: string[]): boolean {
  // podIPs and hostIPs repeat podIP and hostIP, which are shown.
  const { conditions: ca, containerStatuses: csa, initContainerStatuses: ia, podIPs: _pa, hostIPs: _ha, ...restA } = a;
  const { conditions: cb, containerStatuses: csb, initContainerStatuses: ib, podIPs: _pb, hostIPs: _hb, ...restB } = b;
  const timesOnly = diffConditions(ca as Condition[], cb as Condition[], out);
  diffContainerStatuses(ia as Obj[], ib as Obj[], 'init container', out);
  diffContainerStatuses(csa as Obj[], csb as Obj[], 'container', out);
  diffValues('status', withoutTimes(restA), withoutTimes(restB), out);
  return timesOnly;
}

/** The phrases that say how `after` differs from `before` (an object of `resource`). */
export function summarizeChange(resource: string, before: KubeObject | undefined, after: KubeObject): string[] {
  const out: string[] = [];
  const a = (before ?? {}) as Obj;
  const b = after as Obj;
  if (!before) return summarizeNew(resource, after);
  diffMetadata((a.metadata ?? {}) as Obj, (b.metadata ?? {}) as Obj, out);
  let timesOnly = false;
  if (resource === 'endpoints') {
    diffAddresses(endpointsStates(before), endpointsStates(after), 'ready', out);
  } else if (resource === 'endpointslices') {
    diffAddresses(sliceStates(before), sliceStates(after), '', out);
    diffValues('ports', a.ports, b.ports, out);
  } else {
    const statusA = isObj(a.status) ? a.status : {};
    const statusB = isObj(b.status) ? b.status : {};
    if (resource === 'pods') timesOnly = diffPodStatus(statusA, statusB, out);
    else {
      const { conditions: ca, ...restA } = statusA;
      const { conditions: cb, ...restB } = statusB;
      timesOnly = diffConditions(ca as Condition[], cb as Condition[], out);
      diffValues('status', withoutTimes(restA), withoutTimes(restB), out);
    }
    const skip = new Set(['metadata', 'status', 'apiVersion', 'kind']);
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      if (!skip.has(k)) diffValues(k, withoutTimes(a[k]), withoutTimes(b[k]), out);
  }
  if (out.length === 0) {
    const content = (o: Obj) => ({ ...o, metadata: undefined });
    out.push(timesOnly || !same(content(a), content(b)) ? 'heartbeat' : 'no visible change');
  }
  return cap(out);
}

/** What a new object is, in a few phrases. */
function summarizeNew(resource: string, obj: KubeObject): string[] {
  const o = obj as Obj;
  const spec = isObj(o.spec) ? o.spec : {};
  const status = isObj(o.status) ? o.status : {};
  const out: string[] = [];
  if (resource === 'endpoints') diffAddresses(new Map(), endpointsStates(obj), 'ready', out);
  else if (resource === 'endpointslices') diffAddresses(new Map(), sliceStates(obj), '', out);
  else if (resource === 'pods') {
    if (spec.nodeName) out.push(`node: ${show(spec.nodeName)}`);
    if (status.phase) out.push(`status.phase: ${show(status.phase)}`);
  } else if (resource === 'events') {
    out.push(`${show(o.reason)}: ${show(o.message)}`);
  } else {
    if (spec.replicas !== undefined) out.push(`spec.replicas: ${show(spec.replicas)}`);
    if (spec.clusterIP !== undefined) out.push(`spec.clusterIP: ${show(spec.clusterIP)}`);
  }
  return cap(out);
}

function cap(out: string[]): string[] {
  if (out.length <= MAX_CHANGES) return out;
  return [...out.slice(0, MAX_CHANGES - 1), `… +${out.length - MAX_CHANGES + 1} more`];
}
