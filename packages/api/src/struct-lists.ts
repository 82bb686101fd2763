/**
 * What Go's JSON decoder does to lists of structs before kube-apiserver defaults and
 * validates: a `null` entry becomes the zero struct (so `containers: [null]` is a 422
 * naming `spec.containers[0].name` and `.image` as required, not a crash), and a list or
 * entry of the wrong type is a 400 decode error. kemu's objects are plain JSON, so this
 * pass applies those two rules to the lists of objects in the kinds it serves, before
 * defaulting, which may then assume every entry of these lists is an object.
 */
import { badRequest } from './errors.js';

type Rec = Record<string, unknown>;

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

const isRec = (v: unknown): v is Rec => jsonType(v) === 'object';

/** The object entries of the list at `parent[key]`, nulls made `{}`; 400 for anything else. */
function structList(parent: unknown, key: string, path: string): Rec[] {
  if (!isRec(parent)) return [];
  const list = parent[key];
  const at = path ? `${path}.${key}` : key;
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw badRequest(`${at}: expected an array of objects, got ${jsonType(list)}`);
  list.forEach((item, i) => {
    if (item === null) list[i] = {};
    else if (!isRec(item)) throw badRequest(`${at}[${i}]: expected an object, got ${jsonType(item)}`);
  });
  return list as Rec[];
}

const containerLists = ['ports', 'env', 'envFrom', 'volumeMounts', 'volumeDevices'];
const podSpecLists = [
  'volumes',
  'tolerations',
  'imagePullSecrets',
  'hostAliases',
  'topologySpreadConstraints',
  'readinessGates',
];

function podSpec(spec: unknown, path: string): void {
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    structList(spec, key, path).forEach((c, i) => {
      for (const list of containerLists) structList(c, list, `${path}.${key}[${i}]`);
    });
  }
  for (const key of podSpecLists) structList(spec, key, path);
}

function field(parent: unknown, key: string): unknown {
  return isRec(parent) ? parent[key] : undefined;
}

/** Turns `null` entries of object lists into `{}` in place, as Go's decoder does; 400 for a list or entry of the wrong type. */
export function normalizeStructLists(obj: Rec): void {
  structList(obj.metadata, 'ownerReferences', 'metadata');
  const spec = obj.spec;
  switch (obj.kind) {
    case 'Pod':
      podSpec(spec, 'spec');
      break;
    case 'Service':
      structList(spec, 'ports', 'spec');
      break;
    case 'Deployment':
    case 'ReplicaSet':
      structList(field(spec, 'selector'), 'matchExpressions', 'spec.selector');
      podSpec(field(field(spec, 'template'), 'spec'), 'spec.template.spec');
      break;
    case 'Endpoints':
      structList(obj, 'subsets', '').forEach((s, i) => {
        for (const key of ['addresses', 'notReadyAddresses', 'ports']) structList(s, key, `subsets[${i}]`);
      });
      break;
    case 'EndpointSlice':
      structList(obj, 'endpoints', '');
      structList(obj, 'ports', '');
      break;
  }
}
