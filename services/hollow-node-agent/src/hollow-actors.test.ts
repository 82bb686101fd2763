import { podStatusFromSnapshot } from '@kemu/lifecycle';
import { pod as testPod } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { hollowPodMachine } from './hollow-actors.js';
import type { HollowStages } from './hollow-stages.js';
import { fixedStages } from './testing/fixed-stages.js';

const stages = fixedStages;

function startPod(s: HollowStages, o: { completes?: boolean; random?: () => number } = {}) {
  const machine = hollowPodMachine({
    stages: s,
    random: o.random ?? (() => 0.5),
    now: Date.now,
    completes: o.completes ?? false,
  });
  const actor = createActor(machine, {
    input: {
      containers: [{ name: 'app', restartPolicy: o.completes ? 'Never' : 'Always', graceMs: 30_000 }],
      podIP: '10.244.255.2',
      hostIP: '127.0.0.1',
      startTime: new Date().toISOString(),
    },
  });
  actor.start();
  const p = testPod('web');
  if (o.completes) p.spec.restartPolicy = 'Never';
  const status = () => podStatusFromSnapshot(actor.getSnapshot(), p, new Date().toISOString());
  const ready = () => status().conditions?.find((c) => c.type === 'Ready')?.status;
  return { actor, status, ready };
}

describe('hollowPodMachine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('goes Pending → Running → Ready after the sandbox, start and ready delays', async () => {
    const { status, ready } = startPod(stages());
    expect(status().phase).toBe('Pending');
    await vi.advanceTimersByTimeAsync(299);
    expect(status().phase).toBe('Pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(status().phase).toBe('Running');
    expect(status().podIP).toBe('10.244.255.2');
    expect(ready()).toBe('False');
    await vi.advanceTimersByTimeAsync(299);
    expect(ready()).toBe('False');
    await vi.advanceTimersByTimeAsync(1);
    expect(ready()).toBe('True');
  });

  it('restarts a container whose start stage fails, with the machine backoff (CrashLoopBackOff)', async () => {
    const { status } = startPod(stages({ start: { delayMs: 200, jitterMs: 0, failureRate: 1 } }));
    await vi.advanceTimersByTimeAsync(300);
    await vi.advanceTimersByTimeAsync(200);
    const c = status().containerStatuses?.[0];
    expect(c?.restartCount).toBeGreaterThanOrEqual(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(status().containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
  });

  it('completes a pod of restartPolicy Never after the complete stage', async () => {
    const { status } = startPod(stages(), { completes: true });
    await vi.advanceTimersByTimeAsync(300 + 999);
    expect(status().phase).toBe('Running');
    await vi.advanceTimersByTimeAsync(1);
    expect(status().phase).toBe('Succeeded');
  });

  it('finishes a deleted pod after the stop stage', async () => {
    const { actor } = startPod(stages());
    await vi.advanceTimersByTimeAsync(600);
    actor.send({ type: 'DELETE_REQUESTED', graceSeconds: 30 });
    await vi.advanceTimersByTimeAsync(49);
    expect(actor.getSnapshot().status).toBe('active');
    await vi.advanceTimersByTimeAsync(1);
    expect(actor.getSnapshot().status).toBe('done');
  });
});
