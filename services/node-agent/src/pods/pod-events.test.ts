import type { Pod } from '@kemu/api';
import type { EventOccurrence, EventRecorder } from '@kemu/event-recorder';
import type { ContainerRuntime, PodRuntime } from '@kemu/lifecycle';
import { eventually } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { containerEvents, createPodEvents } from './pod-events.js';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-pod-1', namespace: 'default', uid: 'u-1', resourceVersion: '12' },
  spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
};
const c = (over: Partial<ContainerRuntime>): ContainerRuntime => ({
  name: 'nginx',
  phase: 'creating',
  ready: false,
  restartCount: 0,
  ...over,
});
const reasons = (prev: ContainerRuntime | undefined, next: ContainerRuntime) =>
  containerEvents(prev, next, pod).map((e) => `${e.type} ${e.reason}: ${e.message}`);

describe('containerEvents', () => {
  it('reports Pulled, Created and Started when a run begins', () => {
    expect(reasons(c({}), c({ phase: 'running', startedAt: 't1' }))).toEqual([
      'Normal Pulled: Container image "nginx" already present on machine',
      'Normal Created: Created container: nginx',
      'Normal Started: Started container nginx',
    ]);
  });

  it('says nothing for the first snapshot (an adopted container) or an unchanged run', () => {
    expect(reasons(undefined, c({ phase: 'running', startedAt: 't1' }))).toEqual([]);
    expect(
      reasons(c({ phase: 'running', startedAt: 't1' }), c({ phase: 'running', startedAt: 't1', ready: true })),
    ).toEqual([]);
  });

  it('says why a container is killed when its liveness probe failed', () => {
    const running = c({ phase: 'running', startedAt: 't1' });
    expect(reasons(running, c({ phase: 'stopping', startedAt: 't1', killedUnhealthy: true }))).toEqual([
      'Normal Killing: Container nginx failed liveness probe, will be restarted',
    ]);
    expect(reasons(running, c({ phase: 'stopping', startedAt: 't1' }))).toEqual([
      'Normal Killing: Stopping container nginx',
    ]);
    expect(
      reasons(running, c({ phase: 'stopping', startedAt: 't1', killedUnhealthy: true, postStartFailed: true })),
    ).toEqual(['Normal Killing: FailedPostStartHook']);
  });

  it('reports BackOff once per wait, naming the pod as the kubelet does', () => {
    const waiting = c({ phase: 'backOff', backoffMs: 10_000, restartCount: 1 });
    expect(reasons(c({ phase: 'running', startedAt: 't1', restartCount: 1 }), waiting)).toEqual([
      'Warning BackOff: Back-off restarting failed container nginx in pod web-pod-1_default(u-1)',
    ]);
    expect(reasons(waiting, { ...waiting })).toEqual([]);
    expect(reasons(c({ phase: 'running', restartCount: 0 }), c({ phase: 'backOff', backoffMs: 0 }))).toEqual([]);
  });

  it('reports Killing when a container is stopped, and Started again after a restart', () => {
    expect(reasons(c({ phase: 'running', startedAt: 't1' }), c({ phase: 'stopping', startedAt: 't1' }))).toEqual([
      'Normal Killing: Stopping container nginx',
    ]);
    const restarted = reasons(
      c({ phase: 'backOff', backoffMs: 10_000 }),
      c({ phase: 'running', startedAt: 't2', restartCount: 1 }),
    );
    expect(restarted.at(-1)).toBe('Normal Started: Started container nginx');
  });
});

describe('createPodEvents', () => {
  it('records transitions and probe failures in order about the container of the latest pod', async () => {
    const seen: EventOccurrence[] = [];
    const recorder: EventRecorder = {
      async record(o) {
        seen.push(o);
      },
      async event(involvedObject, type, reason, message) {
        seen.push({ involvedObject, type, reason, message });
      },
    };
    const events = createPodEvents(recorder, () => pod);
    const runtime = (cs: ContainerRuntime[]): PodRuntime => ({
      stage: 'running',
      sandboxReady: true,
      sandboxCreated: true,
      podIP: '10.244.1.2',
      hostIP: '10.250.0.11',
      startTime: 't0',
      containers: cs,
    });
    events.observe(runtime([c({})]));
    events.observe(runtime([c({ phase: 'running', startedAt: 't1' })]));
    events.readinessProbeFailed('nginx', 'HTTP probe failed with statuscode: 503');
    events.hookFailed('nginx', 'PreStop');
    events.hookFailed('nginx', 'PostStart');
    await eventually(() => seen.length >= 6, { what: 'six events' });
    expect(seen.map((e) => `${e.type} ${e.reason}`)).toEqual([
      'Normal Pulled',
      'Normal Created',
      'Normal Started',
      'Warning Unhealthy',
      'Warning FailedPreStopHook',
      'Warning FailedPostStartHook',
    ]);
    expect(seen[3]?.message).toBe('Readiness probe failed: HTTP probe failed with statuscode: 503');
    expect(seen.slice(4).map((e) => e.message)).toEqual(['PreStopHook failed', 'PostStartHook failed']);
    expect(seen[0]?.involvedObject).toEqual({
      kind: 'Pod',
      namespace: 'default',
      name: 'web-pod-1',
      uid: 'u-1',
      apiVersion: 'v1',
      resourceVersion: '12',
      fieldPath: 'spec.containers{nginx}',
    });
  });
});
