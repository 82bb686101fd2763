import { type ContainerInput, podRuntimeFromSnapshot, podStatus, podStatusFromSnapshot } from '@kemu/lifecycle';
import { pod as testPod } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { hollowPodMachine } from './hollow-actors.js';
import { adoptionPending, podAtRest, restingRuntime, resumeRestingPod } from './hollow-rest.js';
import type { HollowStages } from './hollow-stages.js';
import { fixedStages } from './testing/fixed-stages.js';

const stages = fixedStages;

function start(
  s: HollowStages,
  o: { containers?: ContainerInput[]; sandboxExists?: boolean; startTime?: string; random?: () => number } = {},
) {
  const machine = hollowPodMachine({
    stages: s,
    random: o.random ?? (() => 0.5),
    now: Date.now,
    completes: false,
    sandboxExists: o.sandboxExists === true,
  });
  const actor = createActor(machine, {
    input: {
      containers: o.containers ?? [{ name: 'app', restartPolicy: 'Always', graceMs: 30_000 }],
      podIP: '10.244.255.2',
      hostIP: '127.0.0.1',
      startTime: o.startTime ?? new Date().toISOString(),
      sandboxExists: o.sandboxExists === true,
    },
  });
  actor.start();
  return actor;
}

const p = testPod('web', { containers: [{ name: 'app', image: 'nginx' }] });
const now = () => new Date().toISOString();

describe('hollow pods at rest', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is at rest once Running and Ready with restartPolicy Always, not before, and never with another policy', async () => {
    const actor = start(stages());
    await vi.advanceTimersByTimeAsync(599);
    expect(podAtRest(actor.getSnapshot(), 'Always')).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(podAtRest(actor.getSnapshot(), 'Always')).toBe(true);
    expect(podAtRest(actor.getSnapshot(), 'OnFailure')).toBe(false);
    actor.send({ type: 'DELETE_REQUESTED', graceSeconds: 30 });
    expect(podAtRest(actor.getSnapshot(), 'Always')).toBe(false);
  });

  it('gives from its resting runtime the status the machine gives, restarts and last termination included', async () => {
    // Draws: the sandbox's delay, the start's delay, the start's failure (0.1: it fails), then passes.
    const draws = [0.5, 0.5, 0.1];
    const s = stages({ start: { delayMs: 200, jitterMs: 0, failureRate: 0.5 } });
    const actor = start(s, { random: () => draws.shift() ?? 0.9 });
    await vi.advanceTimersByTimeAsync(30_000);
    const snapshot = actor.getSnapshot();
    expect(podAtRest(snapshot, 'Always')).toBe(true);
    const machineStatus = podStatusFromSnapshot(snapshot, p, now());
    expect(machineStatus.containerStatuses?.[0]?.restartCount).toBe(1);
    expect(machineStatus.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(1);
    expect(podStatus(restingRuntime(podRuntimeFromSnapshot(snapshot)), p, now())).toEqual(machineStatus);
  });

  it('resumes with the same status at once, and a deletion waits for the adoption so the container stops as a ready one', async () => {
    const actor = start(stages());
    await vi.advanceTimersByTimeAsync(600);
    const rest = restingRuntime(podRuntimeFromSnapshot(actor.getSnapshot()));
    const published = podStatus(rest, p, now());
    actor.stop();
    await vi.advanceTimersByTimeAsync(5_000);

    const from = resumeRestingPod(rest, 'Always');
    const resumed = start(stages(), { ...from, containers: from.containers.map((c) => ({ ...c, graceMs: 30_000 })) });
    expect(adoptionPending(resumed.getSnapshot())).toBe(true);
    expect(podStatusFromSnapshot(resumed.getSnapshot(), { ...p, status: published }, now())).toEqual(published);
    await vi.advanceTimersByTimeAsync(0);
    expect(adoptionPending(resumed.getSnapshot())).toBe(false);
    expect(podAtRest(resumed.getSnapshot(), 'Always')).toBe(true);
    expect(podStatusFromSnapshot(resumed.getSnapshot(), { ...p, status: published }, now())).toEqual(published);

    resumed.send({ type: 'DELETE_REQUESTED', graceSeconds: 30 });
    await vi.advanceTimersByTimeAsync(1);
    const terminating = podStatusFromSnapshot(resumed.getSnapshot(), p, now()).containerStatuses?.[0];
    expect(terminating?.ready).toBe(true);
    await vi.advanceTimersByTimeAsync(49);
    expect(resumed.getSnapshot().status).toBe('done');
    const final = podStatusFromSnapshot(resumed.getSnapshot(), p, now()).containerStatuses?.[0];
    expect(final?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });
});
