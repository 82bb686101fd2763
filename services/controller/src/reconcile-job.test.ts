import { type Job, type Pod, defaultObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { formatIndexes } from './job-indexes.js';
import { backoffRemainingMs, jobExpiry, reconcileJob } from './reconcile-job.js';
import { jobPod } from './job-controller.js';

const NOW = new Date('2026-01-01T12:00:00Z');

function job(spec: Partial<Job['spec']> = {}, status?: Job['status']): Job {
  return defaultObject<Job>({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'j-uid' },
    spec: {
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'j-uid' } },
      template: {
        metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'j-uid' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
      },
      ...spec,
    },
    ...(status ? { status } : {}),
  });
}

let n = 0;
function pod(phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed', finished = '2026-01-01T11:59:55Z'): Pod {
  n++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pi-${n}`, namespace: 'default', uid: `u${n}`, creationTimestamp: '2026-01-01T11:00:00Z' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
    status: { phase, conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: finished }] },
  } as Pod;
}

describe('reconcileJob', () => {
  it('starts parallelism pods, never more than the completions still missing', () => {
    expect(reconcileJob(job({ completions: 5, parallelism: 2 }), [], NOW).create).toBe(2);
    const three = [pod('Succeeded'), pod('Succeeded'), pod('Succeeded'), pod('Succeeded'), pod('Running')];
    expect(reconcileJob(job({ completions: 5, parallelism: 2 }), three, NOW).create).toBe(0);
    expect(reconcileJob(job(), [], NOW).status).toMatchObject({ active: 0, startTime: '2026-01-01T12:00:00Z' });
  });

  it('completes with SuccessCriteriaMet and Complete once enough pods succeeded', () => {
    const plan = reconcileJob(job({ completions: 2 }), [pod('Succeeded'), pod('Succeeded')], NOW);
    expect(plan.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ]);
    expect(plan.status).toMatchObject({ succeeded: 2, active: 0, completionTime: '2026-01-01T12:00:00Z' });
    expect(plan.events).toEqual([{ type: 'Normal', reason: 'Completed', message: 'Job completed' }]);
  });

  it('fails with BackoffLimitExceeded after more than backoffLimit failed pods', () => {
    const plan = reconcileJob(job({ backoffLimit: 1 }), [pod('Failed'), pod('Failed')], NOW);
    expect(plan.status.conditions?.map((c) => [c.type, c.reason, c.message])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ]);
    expect(plan.status.failed).toBe(2);
    expect(plan.create).toBe(0);
  });

  it('deletes the running pods of a failing Job before it is Failed', () => {
    const running = pod('Running');
    const plan = reconcileJob(job({ backoffLimit: 0 }), [pod('Failed'), running], NOW);
    expect(plan.remove).toEqual([running]);
    expect(plan.status.conditions?.map((c) => c.type)).toEqual(['FailureTarget']);
  });

  it('holds a replacement pod for the failure backoff (10 s, doubling)', () => {
    const plan = reconcileJob(job({ backoffLimit: 3 }), [pod('Failed', '2026-01-01T11:59:55Z')], NOW);
    expect(plan.create).toBe(0);
    expect(plan.createAfterMs).toBe(5_000);
    const two = [pod('Failed', '2026-01-01T11:59:40Z'), pod('Failed', '2026-01-01T11:59:45Z')];
    expect(backoffRemainingMs(two, NOW)).toBe(5_000);
  });

  it('expires a finished Job ttlSecondsAfterFinished after it finished', () => {
    const done = { conditions: [{ type: 'Complete', status: 'True' }], completionTime: '2026-01-01T12:00:00Z' };
    expect(jobExpiry(job({ ttlSecondsAfterFinished: 30 }, done))).toBe(Date.parse('2026-01-01T12:00:30Z'));
    expect(jobExpiry(job({}, done))).toBeUndefined();
    expect(jobExpiry(job({ ttlSecondsAfterFinished: 30 }))).toBeUndefined();
  });

  it('suspends a Job (its pods deleted, condition Suspended) and resumes it', () => {
    const running = pod('Running');
    const plan = reconcileJob(job({ suspend: true }, { startTime: '2026-01-01T11:00:00Z' }), [running], NOW);
    expect(plan.remove).toEqual([running]);
    expect(plan.status.startTime).toBeUndefined();
    expect(plan.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Suspended', 'True', 'JobSuspended'],
    ]);
    expect(plan.events.map((e) => e.reason)).toEqual(['Suspended']);
    const resumed = reconcileJob(job({ suspend: false }, { conditions: plan.status.conditions }), [], NOW);
    expect(resumed.create).toBe(1);
    expect(resumed.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Suspended', 'False', 'JobResumed'],
    ]);
    expect(resumed.status.startTime).toBe('2026-01-01T12:00:00Z');
  });

  it('runs an Indexed Job: one pod per index not yet succeeded, lowest first, and completedIndexes', () => {
    const indexed = job({ completionMode: 'Indexed', completions: 4, parallelism: 2 });
    expect(reconcileJob(indexed, [], NOW).createIndexes).toEqual([0, 1]);
    const at = (i: number, phase: 'Running' | 'Succeeded' | 'Failed') => {
      const p = jobPod(indexed, `pi-${i}-x${n++}`, `u${n}`, NOW, i);
      p.status = { phase } as Pod['status'];
      return p;
    };
    const plan = reconcileJob(indexed, [at(0, 'Succeeded'), at(2, 'Succeeded'), at(1, 'Running')], NOW);
    expect(plan.createIndexes).toEqual([3]);
    expect(plan.status).toMatchObject({ succeeded: 2, completedIndexes: '0,2', active: 1 });
    const done = reconcileJob(
      indexed,
      [0, 1, 2, 3].map((i) => at(i, 'Succeeded')),
      NOW,
    );
    expect(done.status).toMatchObject({ succeeded: 4, completedIndexes: '0-3' });
    expect(done.status.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(formatIndexes([7, 1, 2, 3, 5])).toBe('1-3,5,7');
  });

  it('gives an Indexed pod its index as annotation, label, hostname and JOB_COMPLETION_INDEX', () => {
    const p = jobPod(job({ completionMode: 'Indexed', completions: 3 }), 'pi-2-abcde', 'u', NOW, 2);
    expect(p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).toBe('2');
    expect(p.metadata.labels?.['batch.kubernetes.io/job-completion-index']).toBe('2');
    expect(p.spec.hostname).toBe('pi-2');
    expect(p.spec.containers[0]?.env?.[0]).toMatchObject({
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    });
  });
});
