/**
 * Strategic merge patch (kubectl-api.md §7.3) for the built-in kinds: maps merge, null
 * deletes, lists with a merge key merge element-wise, other lists are replaced. Honours
 * `$patch` (delete/replace/merge), `$retainKeys`, `$setElementOrder/<f>` and
 * `$deleteFromPrimitiveList/<f>`. Merge keys follow the Go types' patch tags.
 */
import { deepEqual } from './deep-equal.js';
import { badRequest } from './errors.js';

type Rec = Record<string, unknown>;
/** A list's merge key, or `[]` for a primitive list merged as a set. */
type ListMeta = string | [];

const podSpecLists: Record<string, ListMeta> = { volumes: 'name', imagePullSecrets: 'name', hostAliases: 'ip' };
for (const c of ['containers', 'initContainers', 'ephemeralContainers']) {
  Object.assign(podSpecLists, {
    [c]: 'name',
    [`${c}.ports`]: 'containerPort',
    [`${c}.env`]: 'name',
    [`${c}.volumeMounts`]: 'mountPath',
    [`${c}.volumeDevices`]: 'devicePath',
  });
}
const prefixed = (prefix: string, lists: Record<string, ListMeta>): Record<string, ListMeta> =>
  Object.fromEntries(Object.entries(lists).map(([k, v]) => [prefix + k, v]));
const common: Record<string, ListMeta> = {
  'metadata.ownerReferences': 'uid',
  'metadata.finalizers': [],
  'status.conditions': 'type',
};
const template = { ...prefixed('spec.template.spec.', podSpecLists), 'spec.template.metadata.finalizers': [] as [] };
const listMeta: Record<string, Record<string, ListMeta>> = {
  Pod: { ...prefixed('spec.', podSpecLists), 'status.podIPs': 'ip', 'status.hostIPs': 'ip' },
  Service: { 'spec.ports': 'port' },
  Node: { 'spec.podCIDRs': [], 'status.addresses': 'type' },
  Deployment: template,
  ReplicaSet: template,
  StatefulSet: template,
  DaemonSet: template,
  Job: template,
  CronJob: { ...prefixed('spec.jobTemplate.spec.template.spec.', podSpecLists) },
};

const isMap = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDirective = (k: string): boolean =>
  k === '$patch' ||
  k === '$retainKeys' ||
  k.startsWith('$setElementOrder/') ||
  k.startsWith('$deleteFromPrimitiveList/');

class Merger {
  constructor(private readonly lists: Record<string, ListMeta>) {}

  map(original: Rec, patch: Rec, path: string): Rec | undefined {
    const directive = patch.$patch;
    if (directive === 'delete') return undefined;
    if (directive === 'replace') return this.map({}, { ...patch, $patch: undefined }, path);
    if (directive !== undefined && directive !== 'merge')
      throw badRequest(`unknown patch type: ${JSON.stringify(directive)}`);
    for (const [k, v] of Object.entries(patch))
      if (k !== '$patch' && isDirective(k) && v !== null && v !== undefined && !Array.isArray(v))
        throw badRequest(`invalid type for ${k}: expected a list, got ${JSON.stringify(v)}`);
    const out: Rec = { ...original };
    if (Array.isArray(patch.$retainKeys))
      for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
    for (const [k, v] of Object.entries(patch)) {
      if (isDirective(k) || v === undefined) continue;
      const p = path ? `${path}.${k}` : k;
      if (v === null) delete out[k];
      else if (isMap(v)) {
        const merged = this.map(isMap(out[k]) ? (out[k] as Rec) : {}, v, p);
        if (merged === undefined) delete out[k];
        else out[k] = merged;
      } else if (Array.isArray(v)) out[k] = this.list(Array.isArray(out[k]) ? (out[k] as unknown[]) : [], v, p);
      else out[k] = v;
    }
    for (const [k, v] of Object.entries(patch)) {
      if (k.startsWith('$deleteFromPrimitiveList/') && Array.isArray(v)) {
        const f = k.slice('$deleteFromPrimitiveList/'.length);
        if (Array.isArray(out[f])) out[f] = (out[f] as unknown[]).filter((x) => !v.some((d) => deepEqual(d, x)));
      }
      if (k.startsWith('$setElementOrder/') && Array.isArray(v)) {
        const f = k.slice('$setElementOrder/'.length);
        if (Array.isArray(out[f])) out[f] = reorder(out[f] as unknown[], v, this.lists[path ? `${path}.${f}` : f]);
      }
    }
    return out;
  }

  list(original: unknown[], patch: unknown[], path: string): unknown[] {
    const meta = this.lists[path];
    const clean = (x: unknown): unknown => (isMap(x) ? this.map({}, x, path) : x);
    if (meta === undefined) return patch.filter((x) => !(isMap(x) && x.$patch === 'delete')).map(clean);
    if (Array.isArray(meta)) return [...original, ...patch.filter((x) => !original.some((o) => deepEqual(o, x)))];
    if (patch.some((x) => isMap(x) && x.$patch === 'replace'))
      return patch.filter((x) => !(isMap(x) && x.$patch === 'replace')).map(clean);
    const out = [...original];
    for (const el of patch) {
      if (!isMap(el)) continue;
      const at = out.findIndex((o) => isMap(o) && deepEqual(o[meta], el[meta]));
      if (el.$patch === 'delete') {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = this.map(out[at] as Rec, el, path);
      else out.push(this.map({}, el, path));
    }
    return out.filter((x) => x !== undefined);
  }
}

/** Orders `items` as `order` says; items the order does not name keep their original positions. */
function reorder(items: unknown[], order: unknown[], meta: ListMeta | undefined): unknown[] {
  const keyOf = (x: unknown): unknown => (typeof meta === 'string' && isMap(x) ? x[meta] : x);
  const wanted = order.map(keyOf);
  const named = wanted.flatMap((w) => items.filter((x) => deepEqual(keyOf(x), w)));
  const out = [...named];
  items.forEach((x, i) => {
    if (!wanted.some((w) => deepEqual(keyOf(x), w))) out.splice(Math.min(i, out.length), 0, x);
  });
  return out;
}

/** Applies a strategic merge patch to a copy of `original`, using the list merge keys of `kind`. */
export function strategicMergePatch<T>(original: T, patch: unknown, kind: string): T {
  if (!isMap(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
  const lists = { ...common, ...listMeta[kind] };
  const out = new Merger(lists).map(structuredClone((original ?? {}) as Rec), patch, '');
  return (out ?? {}) as T;
}
