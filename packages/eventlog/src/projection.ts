/**
 * The projection shared by every process: applying the stream's events in order to a
 * View gives the cluster's objects. It is deterministic and depends on nothing but the
 * view and the event, so replaying any prefix and then the rest gives the same view as
 * following live. It updates the view in place (copying every map per event would make
 * replay quadratic); the view is the only state it touches.
 */
import {
  type KubeObject,
  type ObjectKey,
  type ResourceName,
  type ResourceTypes,
  type TypedKey,
  keyString,
} from '@kemu/api';
import type { LogEvent } from './envelope.js';

/** The objects as of stream sequence `seq`. */
export interface View {
  /** Live objects by keyString; each carries resourceVersion = its latest event's sequence. */
  readonly objects: Map<string, KubeObject>;
  /** Last sequence written on each object's subject, tombstones included: the CAS base for the next write. */
  readonly lastSeq: Map<string, number>;
  /** The last sequence applied. */
  seq: number;
}

/** What an applied event did to the view. */
export interface Change {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  seq: number;
  key: ObjectKey;
  /** The object after the change (for DELETED, its final state). */
  object: KubeObject;
  /** The object before the change, if there was one. */
  old: KubeObject | undefined;
  event: LogEvent;
}

/** An empty view, before any event. */
export function createView(): View {
  return { objects: new Map(), lastSeq: new Map(), seq: 0 };
}

/** Applies the event stored at `seq`; an event at or below the view's sequence is ignored (redelivery). */
export function applyEvent(view: View, seq: number, event: LogEvent): Change | undefined {
  if (seq <= view.seq) return undefined;
  view.seq = seq;
  const k = keyString(event.key);
  view.lastSeq.set(k, seq);
  const old = view.objects.get(k);
  const object: KubeObject = {
    ...event.object,
    metadata: { ...event.object.metadata, resourceVersion: String(seq) },
  };
  if (event.type === 'Delete') {
    if (!old) return undefined;
    view.objects.delete(k);
    return { type: 'DELETED', seq, key: event.key, object, old, event };
  }
  view.objects.set(k, object);
  return { type: old ? 'MODIFIED' : 'ADDED', seq, key: event.key, object, old, event };
}

/** Lists the live objects of one resource, optionally in one namespace, typed by the resource. */
export function listObjects<R extends ResourceName>(view: View, resource: R, namespace?: string): ResourceTypes[R][];
/** Lists the live objects of a resource named at run time (generic consumers such as the apiserver). */
export function listObjects(view: View, resource: string, namespace?: string): KubeObject[];
export function listObjects(view: View, resource: string, namespace?: string): KubeObject[] {
  const prefix = namespace === undefined ? `${resource}/` : `${resource}/${namespace}/`;
  const out: KubeObject[] = [];
  for (const [k, o] of view.objects) if (k.startsWith(prefix)) out.push(o);
  return out;
}

/** Reads one live object, typed by its key's resource. */
export function getObject<R extends ResourceName>(view: View, key: TypedKey<R>): ResourceTypes[R] | undefined;
/** Reads one live object of a resource named at run time. */
export function getObject(view: View, key: ObjectKey): KubeObject | undefined;
export function getObject(view: View, key: ObjectKey): KubeObject | undefined {
  return view.objects.get(keyString(key));
}

/** The sequence a writer must expect on the object's subject (0 if never written). */
export function expectedSeq(view: View, key: ObjectKey): number {
  return view.lastSeq.get(keyString(key)) ?? 0;
}
