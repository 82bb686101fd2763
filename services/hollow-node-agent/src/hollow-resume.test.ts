import { podStatusFromSnapshot } from '@kemu/lifecycle';
import { pod as testPod } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { hollowPodMachine } from './hollow-actors.js';
import { resumeHollowContainer } from './hollow-resume.js';
import { DEFAULT_STAGES } from './hollow-stages.js';

const startedAt = '2026-12-07T08:00:00.000Z';

describe('resumeHollowContainer', () => {
  it('adopts a running container with its start time, readiness and restart count', () => {
    const input = resumeHollowContainer('web', 'Always', {
      name: 'web',
      image: 'nginx',
      imageID: '',
      ready: true,
      restartCount: 2,
      state: { running: { startedAt } },
      lastState: {},
    });
    expect(input).toEqual({
      name: 'web',
      restartPolicy: 'Always',
      restartCount: 2,
      adopt: { pid: 0, startedAt, ready: true },
    });
  });

  it('keeps a finished container of restartPolicy Never finished, and starts others fresh', () => {
    const terminated = { exitCode: 0, reason: 'Completed', finishedAt: startedAt };
    const status = {
      name: 'job',
      image: 'busybox',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: { terminated },
      lastState: {},
    };
    expect(resumeHollowContainer('job', 'Never', status).terminated).toEqual(terminated);
    expect(resumeHollowContainer('job', 'Always', status).terminated).toBeUndefined();
    expect(resumeHollowContainer('new', 'Always', undefined)).toEqual({
      name: 'new',
      restartPolicy: 'Always',
      restartCount: 0,
    });
  });
});

describe('a resumed hollow pod', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is Running and Ready at once, with its old start time, instead of passing its stages again', async () => {
    const machine = hollowPodMachine({
      stages: DEFAULT_STAGES,
      random: () => 0.5,
      now: Date.now,
      completes: false,
      sandboxExists: true,
    });
    const actor = createActor(machine, {
      input: {
        containers: [
          resumeHollowContainer('web', 'Always', {
            name: 'web',
            image: 'nginx',
            imageID: '',
            ready: true,
            restartCount: 0,
            state: { running: { startedAt } },
            lastState: {},
          }),
        ],
        podIP: '10.244.255.9',
        hostIP: '127.0.0.1',
        startTime: startedAt,
        sandboxExists: true,
      },
    });
    actor.start();
    await vi.advanceTimersByTimeAsync(0);
    const status = podStatusFromSnapshot(actor.getSnapshot(), testPod('web'), new Date().toISOString());
    expect(status.phase).toBe('Running');
    expect(status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(status.containerStatuses?.[0]?.state?.running?.startedAt).toBe(startedAt);
  });
});
