/**
 * core/v1 Events as client-go's EventRecorder builds them: named `<object>.<unix nanos
 * in hex>`, in the object's namespace (`default` for cluster-scoped objects such as
 * Nodes), with source, reporting component, count and first/last timestamps, and the
 * correlation key its EventCorrelator de-duplicates on (getEventKey: source, involved
 * object without its resourceVersion, type, reason, message).
 */
import type { Event, KubeObject, ObjectReference } from '@kemu/api';
import { randomUUID } from 'node:crypto';

/** Who reports an event: `kubelet` on `node-1`, `default-scheduler`. */
export interface EventSource {
  component: string;
  host?: string | undefined;
}

/** Normal or Warning, as core/v1 names them. */
export type EventType = 'Normal' | 'Warning';

/** metav1.Time as the apiserver writes it: RFC 3339 in UTC with whole seconds. */
export function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

let subNanos = 0;

/** An event name for `objectName` at `ms`, unique per call (client-go: `%v.%x` of UnixNano). */
export function eventName(objectName: string, ms: number): string {
  // Milliseconds carry no nanoseconds: a counter fills them in so names never collide.
  subNanos = (subNanos + 1 + Math.floor(Math.random() * 1000)) % 1_000_000;
  const nanos = BigInt(Math.floor(ms)) * 1_000_000n + BigInt(subNanos);
  return `${objectName}.${nanos.toString(16)}`;
}

/** The reference to `object` an event carries, optionally to one of its containers (`spec.containers{nginx}`). */
export function objectReference(object: KubeObject, fieldPath?: string): ObjectReference {
  const ref: ObjectReference = {
    kind: object.kind,
    name: object.metadata.name,
    apiVersion: object.apiVersion,
  };
  if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
  if (object.metadata.uid) ref.uid = object.metadata.uid;
  if (object.metadata.resourceVersion) ref.resourceVersion = object.metadata.resourceVersion;
  if (fieldPath) ref.fieldPath = fieldPath;
  return ref;
}

/** The field path of a container: `spec.containers{nginx}`. */
export function containerFieldPath(container: string): string {
  return `spec.containers{${container}}`;
}

/** What one occurrence says. */
export interface EventOccurrence {
  involvedObject: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
}

/** The key under which repeated occurrences are counted on one Event. */
export function correlationKey(source: EventSource, o: EventOccurrence): string {
  const io = o.involvedObject;
  return JSON.stringify([
    source.component,
    source.host ?? '',
    io.kind,
    io.namespace ?? '',
    io.name,
    io.fieldPath ?? '',
    io.uid ?? '',
    io.apiVersion ?? '',
    o.type,
    o.reason,
    o.message,
  ]);
}

/** A new Event (count 1) for an occurrence at `ms`. */
export function buildEvent(source: EventSource, o: EventOccurrence, ms: number): Event {
  const time = metaTime(ms);
  const event: Event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: eventName(o.involvedObject.name, ms),
      namespace: o.involvedObject.namespace || 'default',
      uid: randomUUID(),
      creationTimestamp: time,
    },
    involvedObject: o.involvedObject,
    reason: o.reason,
    message: o.message,
    source: source.host ? { component: source.component, host: source.host } : { component: source.component },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    type: o.type,
    eventTime: null,
    reportingComponent: source.component,
    reportingInstance: source.host ?? '',
  };
  return event;
}

/** The same Event seen once more at `ms`: count + 1, lastTimestamp now, the newest involvedObject. */
export function repeatEvent(existing: Event, o: EventOccurrence, ms: number): Event {
  const { resourceVersion: _rv, ...metadata } = existing.metadata;
  return {
    ...existing,
    metadata,
    involvedObject: o.involvedObject,
    count: (existing.count ?? 1) + 1,
    lastTimestamp: metaTime(ms),
  };
}
