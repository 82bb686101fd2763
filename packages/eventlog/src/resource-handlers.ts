/**
 * Per-resource event handlers, as client-go's ResourceEventHandler: an informer's changes
 * are dispatched by resource to handlers typed by it (`onAdd(pod)`, `onUpdate(old, pod)`,
 * `onDelete(pod)`), so no consumer filters one change stream by resource-name strings.
 * A throwing handler is logged and the others still run.
 */
import type { KubeObject, ResourceName, ResourceTypes } from '@kemu/api';
import type { Logger } from '@kemu/log';
import type { Change } from './projection.js';

/** Handlers for one resource's changes; each is optional. */
export interface ResourceEventHandler<T extends KubeObject> {
  /** An object appeared (created, or first seen by a live informer). */
  onAdd?(obj: T, change: Change): void;
  /** An object changed; `old` is its previous state. */
  onUpdate?(old: T, obj: T, change: Change): void;
  /** An object was deleted; `obj` is its final state (the delete event's object). */
  onDelete?(obj: T, change: Change): void;
}

/** Handlers for several resources at once, typed by each. */
export type ResourceHandlers = { [R in ResourceName]?: ResourceEventHandler<ResourceTypes[R]> };

/**
 * One function for all three events: `fn(obj, old, change)` with `old` undefined on add;
 * on delete `obj` is the final state and `change.type` is 'DELETED'. For handlers that
 * compare before and after whatever happened (queueing both an old and a new owner).
 */
export function onEveryChange<T extends KubeObject>(
  fn: (obj: T, old: T | undefined, change: Change) => void,
): ResourceEventHandler<T> {
  return {
    onAdd: (obj, change) => fn(obj, undefined, change),
    onUpdate: (old, obj, change) => fn(obj, old, change),
    onDelete: (obj, change) => fn(obj, change.old as T | undefined, change),
  };
}

/** The handlers of one informer, by resource. */
export interface HandlerRegistry {
  /** Registers `handler` for `resource`; returns its remover. */
  on<R extends ResourceName>(resource: R, handler: ResourceEventHandler<ResourceTypes[R]>): () => void;
  /** Registers a handler of every change of every resource (generic consumers: the apiserver's watch cache). */
  onAnyChange(handler: (change: Change) => void): () => void;
  /** Calls the handlers of a change in the order they were registered. */
  dispatch(change: Change): void;
}

/** Creates an empty registry. */
export function createHandlerRegistry(log: Logger): HandlerRegistry {
  // One list in registration order, so handlers run in the order they were added,
  // whatever resource they follow.
  type Entry = { resource: string; handler: ResourceEventHandler<KubeObject> } | { any: (change: Change) => void };
  const entries = new Set<Entry>();

  function add(entry: Entry): () => void {
    entries.add(entry);
    return () => {
      entries.delete(entry);
    };
  }

  function call(entry: Entry, change: Change): void {
    if ('any' in entry) return entry.any(change);
    if (entry.resource !== change.key.resource) return;
    const h = entry.handler;
    const { old, object } = change;
    if (change.type === 'ADDED') h.onAdd?.(object, change);
    else if (change.type === 'MODIFIED' && old) h.onUpdate?.(old, object, change);
    else if (change.type === 'DELETED') h.onDelete?.(object, change);
  }

  return {
    on: (resource, handler) => add({ resource, handler: handler as ResourceEventHandler<KubeObject> }),
    onAnyChange: (handler) => add({ any: handler }),
    dispatch(change) {
      for (const entry of entries) {
        try {
          call(entry, change);
        } catch (err) {
          log.error({ err, key: change.key }, 'change handler failed');
        }
      }
    },
  };
}
