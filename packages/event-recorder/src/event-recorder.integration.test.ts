import type { Pod } from '@kemu/api';
import { createLogger } from '@kemu/log';
import { startNatsServer } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEvent, containerFieldPath, correlationKey, eventName, objectReference } from './core-event.js';
import {
  type EventLog,
  type Informer,
  connectEventLog,
  createObjectWriter,
  listObjects,
  startInformer,
} from '@kemu/eventlog';
import { createEventRecorder } from './event-recorder.js';

const log = createLogger({ component: 'test', level: 'silent' });
const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-pod-1', namespace: 'default', uid: 'u-1', resourceVersion: '7' },
  spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
};
const kubelet = { component: 'kubelet', host: 'node-1' };

describe('core events', () => {
  it('names events <object>.<hex nanoseconds>, unique per call', () => {
    const a = eventName('web-pod-1', 1_700_000_000_000);
    const b = eventName('web-pod-1', 1_700_000_000_000);
    expect(a).toMatch(/^web-pod-1\.[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
  });

  it('builds a kubelet event about a container as client-go does', () => {
    const involvedObject = objectReference(pod, containerFieldPath('nginx'));
    const e = buildEvent(
      kubelet,
      { involvedObject, type: 'Normal', reason: 'Started', message: 'Started container nginx' },
      Date.parse('2026-01-02T03:04:05.678Z'),
    );
    expect(e).toMatchObject({
      metadata: { namespace: 'default' },
      involvedObject: {
        kind: 'Pod',
        namespace: 'default',
        name: 'web-pod-1',
        uid: 'u-1',
        apiVersion: 'v1',
        resourceVersion: '7',
        fieldPath: 'spec.containers{nginx}',
      },
      reason: 'Started',
      type: 'Normal',
      source: { component: 'kubelet', host: 'node-1' },
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
      count: 1,
      firstTimestamp: '2026-01-02T03:04:05Z',
      lastTimestamp: '2026-01-02T03:04:05Z',
    });
  });

  it('correlates on everything but the involved object resourceVersion', () => {
    const o = { involvedObject: objectReference(pod), type: 'Normal' as const, reason: 'Pulled', message: 'm' };
    const newer = { ...o, involvedObject: { ...o.involvedObject, resourceVersion: '9' } };
    expect(correlationKey(kubelet, o)).toBe(correlationKey(kubelet, newer));
    expect(correlationKey(kubelet, o)).not.toBe(correlationKey({ component: 'kubelet', host: 'node-2' }, o));
    expect(correlationKey(kubelet, o)).not.toBe(correlationKey(kubelet, { ...o, message: 'other' }));
  });
});

describe('event recorder', () => {
  let server: Awaited<ReturnType<typeof startNatsServer>>;
  let eventLog: EventLog;
  let informer: Informer;
  beforeEach(async () => {
    server = await startNatsServer();
    eventLog = await connectEventLog({ servers: server.url, name: 'test', log });
    informer = await startInformer(eventLog, { log });
    await informer.synced;
  });
  afterEach(async () => {
    await informer.stop();
    await eventLog.close();
    await server.stop();
  });

  const events = () => listObjects(informer.view, 'events', 'default');

  it('counts a repeat within the window on the same Event and starts a new one after it', async () => {
    let now = Date.parse('2026-01-02T03:00:00Z');
    const writer = createObjectWriter(eventLog, informer, { component: 'node-agent', node: 'node-1' });
    const recorder = createEventRecorder({ writer, source: kubelet, log, clock: () => now });
    const ref = objectReference(pod, containerFieldPath('nginx'));
    const backOff = 'Back-off restarting failed container nginx in pod web-pod-1_default(u-1)';
    await recorder.event(ref, 'Warning', 'BackOff', backOff);
    now += 30_000;
    await Promise.all([
      recorder.event(ref, 'Warning', 'BackOff', backOff),
      recorder.event(ref, 'Warning', 'BackOff', backOff),
    ]);
    await recorder.event(ref, 'Normal', 'Pulled', 'Container image "nginx" already present on machine');
    expect(events()).toHaveLength(2);
    const counted = events().find((e) => e.reason === 'BackOff');
    expect(counted).toMatchObject({
      count: 3,
      firstTimestamp: '2026-01-02T03:00:00Z',
      lastTimestamp: '2026-01-02T03:00:30Z',
    });

    now += 11 * 60_000;
    await recorder.event(ref, 'Warning', 'BackOff', backOff);
    expect(
      events()
        .filter((e) => e.reason === 'BackOff')
        .map((e) => e.count),
    ).toEqual([3, 1]);
  });

  it('counts on an Event written before a restart, found in its view', async () => {
    const now = Date.now();
    const writer = createObjectWriter(eventLog, informer, { component: 'controller' });
    const source = { component: 'default-scheduler' };
    const ref = objectReference(pod);
    await createEventRecorder({ writer, source, log, clock: () => now }).event(
      ref,
      'Warning',
      'FailedScheduling',
      'no nodes',
    );
    const restarted = createEventRecorder({ writer, source, log, view: informer.view, clock: () => now + 1_000 });
    await restarted.event(ref, 'Warning', 'FailedScheduling', 'no nodes');
    expect(events().map((e) => e.count)).toEqual([2]);
  });

  it('counts on the view copy of what it wrote, and starts anew once the view lost it', async () => {
    let now = Date.now();
    const writer = createObjectWriter(eventLog, informer, { component: 'controller' });
    const source = { component: 'replicaset-controller' };
    const recorder = createEventRecorder({ writer, source, log, view: informer.view, clock: () => now });
    const ref = objectReference(pod);
    await recorder.event(ref, 'Normal', 'SuccessfulCreate', 'Created pod: web-pod-1');
    now += 1_000;
    await recorder.event(ref, 'Normal', 'SuccessfulCreate', 'Created pod: web-pod-1');
    expect(events().map((e) => e.count)).toEqual([2]);
    const [first] = events();
    await writer.remove({ resource: 'events', namespace: 'default', name: first!.metadata.name }, first!);
    now += 1_000;
    await recorder.event(ref, 'Normal', 'SuccessfulCreate', 'Created pod: web-pod-1');
    expect(events().map((e) => [e.metadata.name === first?.metadata.name, e.count])).toEqual([[false, 1]]);
  });

  it('starts a new Event when the counted one was removed meanwhile', async () => {
    let now = Date.now();
    const writer = createObjectWriter(eventLog, informer, { component: 'node-agent', node: 'node-1' });
    const recorder = createEventRecorder({ writer, source: kubelet, log, clock: () => now });
    const ref = objectReference(pod);
    await recorder.event(ref, 'Normal', 'Killing', 'Stopping container nginx');
    const [first] = events();
    await writer.remove({ resource: 'events', namespace: 'default', name: first!.metadata.name }, first!);
    now += 1_000;
    await recorder.event(ref, 'Normal', 'Killing', 'Stopping container nginx');
    expect(events()).toHaveLength(1);
    expect(events()[0]?.metadata.name).not.toBe(first?.metadata.name);
    expect(events()[0]?.count).toBe(1);
  });
});
