/**
 * core/v1 Events the scheduler records, named as client-go's recorder names them:
 * `<object>.<unix nanoseconds in hex>`.
 */
import type { Event, Pod } from '@kemu/api';
import { randomUUID } from 'node:crypto';
import { rfc3339 } from './conditions.js';

/** The scheduler's component name, as events and kubectl show it. */
export const SCHEDULER_NAME = 'default-scheduler';

/** An event name for `objectName` at `now`, unique per call. */
export function eventName(objectName: string, now: Date): string {
  // Nanoseconds: the millisecond clock plus a sub-millisecond counter keeps names unique.
  const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(nextSubMillisecond());
  return `${objectName}.${nanos.toString(16).padStart(16, '0')}`;
}

let sub = 0;
function nextSubMillisecond(): number {
  sub = (sub + 1 + Math.floor(Math.random() * 1000)) % 1_000_000;
  return sub;
}

/** A Normal or Warning event about a pod from the scheduler. */
export function podEvent(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, now: Date): Event {
  const time = rfc3339(now);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: eventName(pod.metadata.name, now),
      namespace: pod.metadata.namespace ?? 'default',
      uid: randomUUID(),
      creationTimestamp: time,
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      uid: pod.metadata.uid,
    },
    reason,
    message,
    source: { component: SCHEDULER_NAME },
    type,
    count: 1,
    firstTimestamp: time,
    lastTimestamp: time,
    reportingComponent: SCHEDULER_NAME,
    reportingInstance: '',
  };
}

/** The `Scheduled` event: `Successfully assigned default/web-pod-1 to node-2`. */
export function scheduledEvent(pod: Pod, nodeName: string, now: Date): Event {
  const ns = pod.metadata.namespace ?? 'default';
  return podEvent(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${pod.metadata.name} to ${nodeName}`, now);
}
