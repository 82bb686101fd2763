/**
 * Typed listers over an informer's view, as client-go's listers and indexers: list a
 * resource (all, or one namespace), get one object, or look objects up by an index
 * (pods by spec.nodeName), so callers stop filtering whole views. Indexes are kept up to
 * date from the informer's changes before any handler runs, so a handler sees them
 * already updated.
 */
import { type KubeObject, type Pod, type ResourceName, type ResourceTypes, keyString } from '@kemu/api';
import { type Change, type View, getObject, listObjects } from './projection.js';

/** Index values of an object (an object may have several, or none). */
export type IndexFunc<T extends KubeObject> = (obj: T) => readonly string[];

/** Typed read access to one resource of a view. */
export interface Lister<T extends KubeObject> {
  /** Every live object, or those in one namespace. */
  list(namespace?: string): T[];
  /** One object ('' as the namespace of cluster-scoped ones). */
  get(namespace: string, name: string): T | undefined;
  /** One object by its keyString (`resource/namespace/name`, a work queue's key); undefined for a key of another resource. */
  byKey(key: string): T | undefined;
  /** The objects whose index `index` has `value`; throws when no such index was added. */
  byIndex(index: string, value: string): T[];
}

/** The listers and indexes of one view. */
export interface Listers {
  lister<R extends ResourceName>(resource: R): Lister<ResourceTypes[R]>;
  /** Adds index `name` on `resource` (built from the view now, then kept up to date); adding it again does nothing. */
  addIndex<R extends ResourceName>(resource: R, name: string, fn: IndexFunc<ResourceTypes[R]>): void;
  /** Updates the indexes for an applied change (the informer calls it before its handlers). */
  update(change: Change): void;
}

/** The index of pods by the node they are bound to (`spec.nodeName`), for `addIndex('pods', POD_NODE_NAME_INDEX, podNodeName)`. */
export const POD_NODE_NAME_INDEX = 'spec.nodeName';

/** A pod's node, as an index value (none while it is unscheduled). */
export const podNodeName: IndexFunc<Pod> = (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);

/** Thrown by byIndex for an index never added. */
export class UnknownIndexError extends Error {
  override name = 'UnknownIndexError';
  readonly code = 'UNKNOWN_INDEX';
  constructor(resource: string, index: string) {
    super(`no index ${index} on ${resource}`);
  }
}

interface Index {
  fn: IndexFunc<KubeObject>;
  /**
   * Value → object keys (keyString): the one key itself while a value has one object (an
   * Event's correlation value, unique per Event: a Set each was 100 bytes per Event).
   */
  keys: Map<string, string | Set<string>>;
}

/** Creates the listers of `view`. */
export function createListers(view: View): Listers {
  const indexes = new Map<string, Map<string, Index>>();

  function addKey(index: Index, obj: KubeObject, key: string): void {
    for (const v of index.fn(obj)) {
      const held = index.keys.get(v);
      if (held === undefined || held === key) index.keys.set(v, key);
      else if (typeof held === 'string') index.keys.set(v, new Set([held, key]));
      else held.add(key);
    }
  }

  function removeKey(index: Index, obj: KubeObject, key: string): void {
    for (const v of index.fn(obj)) {
      const held = index.keys.get(v);
      if (held === key) index.keys.delete(v);
      else if (typeof held !== 'string' && held?.delete(key) && held.size === 0) index.keys.delete(v);
    }
  }

  return {
    lister<R extends ResourceName>(resource: R): Lister<ResourceTypes[R]> {
      return {
        list: (namespace) => listObjects(view, resource, namespace),
        get: (namespace, name) => getObject(view, { resource, namespace, name }),
        byKey: (key) =>
          key.startsWith(`${resource}/`) ? (view.objects.get(key) as ResourceTypes[R] | undefined) : undefined,
        byIndex(name, value) {
          const index = indexes.get(resource)?.get(name);
          if (!index) throw new UnknownIndexError(resource, name);
          const out: ResourceTypes[R][] = [];
          const held = index.keys.get(value);
          for (const k of typeof held === 'string' ? [held] : (held ?? [])) {
            const o = view.objects.get(k);
            if (o) out.push(o as ResourceTypes[R]);
          }
          return out;
        },
      };
    },
    addIndex(resource, name, fn) {
      let byName = indexes.get(resource);
      if (!byName) indexes.set(resource, (byName = new Map()));
      if (byName.has(name)) return;
      const index: Index = { fn: fn as IndexFunc<KubeObject>, keys: new Map() };
      const prefix = `${resource}/`;
      for (const [k, o] of view.objects) if (k.startsWith(prefix)) addKey(index, o, k);
      byName.set(name, index);
    },
    update(change) {
      const byName = indexes.get(change.key.resource);
      if (!byName) return;
      const key = keyString(change.key);
      for (const index of byName.values()) {
        if (change.old) removeKey(index, change.old, key);
        if (change.type !== 'DELETED') addKey(index, change.object, key);
      }
    },
  };
}
