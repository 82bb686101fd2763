/**
 * Which watch event a change becomes for one watcher. A watcher sees a resource, maybe
 * one namespace, and objects that match its selectors: an object that starts matching
 * is ADDED, one that stops matching is DELETED (with its new state), as the
 * apiserver's watch cache filters (the "stops matching" rule is what kubectl's
 * `delete --wait` and selector watches rely on).
 */
import type { KubeObject, ObjectKey } from '@kemu/api';

/** What one watch selects. */
export interface WatchScope {
  resource: string;
  /** Only this namespace; undefined for all (or cluster-scoped). */
  namespace: string | undefined;
  /** The label/field selector predicate. */
  matches(object: KubeObject): boolean;
}

/** A change as the history keeps it. */
export interface WatchChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  seq: number;
  key: ObjectKey;
  object: KubeObject;
  old: KubeObject | undefined;
}

/** One event to send. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

/** True when the key is in the watch's resource and namespace. */
export function inScope(scope: WatchScope, key: ObjectKey): boolean {
  return key.resource === scope.resource && (scope.namespace === undefined || key.namespace === scope.namespace);
}

/** The event a change gives this watcher, or undefined when it does not concern it. */
export function watchEventFor(scope: WatchScope, change: WatchChange): WatchEvent | undefined {
  if (!inScope(scope, change.key)) return undefined;
  const wasIn = change.old !== undefined && scope.matches(change.old);
  if (change.type === 'DELETED')
    return wasIn || scope.matches(change.object) ? { type: 'DELETED', object: change.object } : undefined;
  const isIn = scope.matches(change.object);
  if (isIn) return { type: wasIn ? 'MODIFIED' : 'ADDED', object: change.object };
  return wasIn ? { type: 'DELETED', object: change.object } : undefined;
}
