/**
 * The projection shared by every process: applying the stream's events in order to a
 * View gives the cluster's objects. Records come in two families (docs/subject-layout.md):
 * object subjects hold whole objects; a node's pod status subjects hold the status of the
 * pods bound to that node and the Events it records, folded in or refused (node-record-fold.ts). It is deterministic and depends on nothing but the
 * view and the event, so replaying any prefix and then the rest gives the same view as
 * following live. It updates the view in place (copying every map per event would make
 * replay quadratic); the view is the only state it touches.
 */
import {
  type KubeObject,
  type ObjectKey,
  type Pod,
  type ResourceName,
  type ResourceTypes,
  type TypedKey,
  keyString,
} from '@kemu/api';
import type { LogEvent } from './envelope.js';
import { foldNodeRecord } from './node-record-fold.js';
import { nodeKeyFromSubject, nodeStatusSubjectFor } from './subjects.js';

/** The objects as of stream sequence `seq`. */
export interface View {
  /** Live objects by keyString; each carries resourceVersion = its latest event's sequence (over both subject families). */
  readonly objects: Map<string, KubeObject>;
  /** Last sequence written on each object's subject, tombstones included: the CAS base for the next write. */
  readonly lastSeq: Map<string, number>;
  /** Last sequence on each node-scoped pod status subject (by subject), refused records included: a node's CAS base. */
  readonly nodeSeq: Map<string, number>;
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
  /** Size of the log record behind the change, in bytes (set by the informer that read it). */
  bytes?: number;
}

/** What folding one record did: a change, nothing (a redelivery, a delete of nothing), or a refusal and why. */
export interface Folded {
  change?: Change;
  /** Set when the record was refused (a node's status for a pod not bound to it, a stale status, …). */
  refused?: string;
}

/** An empty view, before any event. */
export function createView(): View {
  return { objects: new Map(), lastSeq: new Map(), nodeSeq: new Map(), seq: 0 };
}

/**
 * Applies the record stored at `seq` on `subject` (an object subject when absent); a
 * record at or below the view's sequence is ignored (redelivery).
 */
export function foldRecord(view: View, seq: number, subject: string | undefined, event: LogEvent): Folded {
  if (seq <= view.seq) return {};
  view.seq = seq;
  const nodeRecord = subject === undefined ? undefined : nodeKeyFromSubject(subject);
  if (nodeRecord) return foldNodeRecord(view, seq, subject as string, nodeRecord, event);
  return foldObjectRecord(view, seq, event);
}

/** Applies the event stored at `seq` on `subject` (default: its object subject); a refused record changes nothing. */
export function applyEvent(view: View, seq: number, event: LogEvent, subject?: string): Change | undefined {
  return foldRecord(view, seq, subject, event).change;
}

function foldObjectRecord(view: View, seq: number, event: LogEvent): Folded {
  const k = keyString(event.key);
  view.lastSeq.set(k, seq);
  const old = view.objects.get(k);
  if (event.type === 'Delete') {
    if (!old) return {};
    const object = withVersion(event.object, seq);
    view.objects.delete(k);
    return { change: { type: 'DELETED', seq, key: event.key, object, old, event } };
  }
  // An update (it carries its base) of an object gone meanwhile: a spec write that raced
  // the node's final removal on the other subject, which must not bring the pod back.
  if (!old && event.base !== undefined) return { refused: 'update of an object no longer in the view' };
  let object = withVersion(event.object, seq);
  // A pod whose node wrote its status after the writer read it keeps that status.
  if (old && event.key.resource === 'pods' && event.base !== undefined && statusNewerThan(view, old, event.base))
    object = { ...object, status: old.status };
  view.objects.set(k, object);
  return { change: { type: old ? 'MODIFIED' : 'ADDED', seq, key: event.key, object, old, event } };
}

/** The object with resourceVersion `seq`. */
export function withVersion(o: KubeObject, seq: number): KubeObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: String(seq) } };
}

/** Whether the pod's node wrote a status record after sequence `base`. */
function statusNewerThan(view: View, pod: KubeObject, base: number): boolean {
  const node = (pod as Pod).spec?.nodeName;
  if (!node) return false;
  return (view.nodeSeq.get(nodeStatusSubjectFor(node, podKey(pod))) ?? 0) > base;
}

function podKey(pod: KubeObject): ObjectKey {
  return { resource: 'pods', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name };
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

/** The sequence a node's status writer must expect on the pod's status subject of `node` (0 if never written). */
export function expectedNodeSeq(view: View, node: string, key: ObjectKey): number {
  return view.nodeSeq.get(nodeStatusSubjectFor(node, key)) ?? 0;
}

/**
 * The latest sequence a writer whose view holds `key` has seen of it: its resourceVersion,
 * or, for a bound pod, a later record its node's status subject holds that the projection
 * refused. A record's `base` is this, so a refused record never makes the next one stale.
 */
export function seenSeq(view: View, key: ObjectKey): number {
  const o = view.objects.get(keyString(key));
  if (!o) return 0;
  const version = Number(o.metadata.resourceVersion);
  const node = key.resource === 'pods' ? (o as Pod).spec?.nodeName : undefined;
  return node ? Math.max(version, expectedNodeSeq(view, node, key)) : version;
}
