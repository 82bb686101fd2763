import { type CronJob, type Job, defaultObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { jobFromTemplate } from './cronjob-controller.js';
import { cronJobName, mostRecentScheduleTime, reconcileCronJob } from './reconcile-cron-job.js';
import { scaledClock } from './scaled-clock.js';

const CREATED = '2026-01-01T12:00:10Z';

function cronJob(spec: Partial<CronJob['spec']> = {}, status?: CronJob['status']): CronJob {
  return defaultObject<CronJob>({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', uid: 'cj-uid', creationTimestamp: CREATED },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: {
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
      },
      ...spec,
    },
    ...(status ? { status } : {}),
  });
}

function job(name: string, state: 'active' | 'Complete' | 'Failed', started: string): Job {
  const conditions = state === 'active' ? [] : [{ type: state, status: 'True' }];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: started },
    spec: { template: { spec: { containers: [] } } },
    status: { startTime: started, conditions, ...(state === 'Complete' ? { completionTime: started } : {}) },
  } as Job;
}

describe('reconcileCronJob', () => {
  it('starts the Job of the most recent scheduled time, named by its minute', () => {
    const plan = reconcileCronJob(cronJob(), [], new Date('2026-01-01T12:03:30Z'));
    const t = new Date('2026-01-01T12:03:00Z');
    expect(plan.start).toEqual({ name: `tick-${t.getTime() / 60000}`, scheduledTime: t });
    expect(plan.status.lastScheduleTime).toBe('2026-01-01T12:03:00Z');
    expect(plan.next?.toISOString()).toBe('2026-01-01T12:04:00.000Z');
    expect(reconcileCronJob(cronJob(), [], new Date('2026-01-01T12:00:50Z')).start).toBeUndefined();
  });

  it('does not start a time twice', () => {
    const at = new Date('2026-01-01T12:01:05Z');
    const name = cronJobName(cronJob(), new Date('2026-01-01T12:01:00Z'));
    expect(reconcileCronJob(cronJob(), [job(name, 'active', '2026-01-01T12:01:00Z')], at).start).toBeUndefined();
  });

  it('skips a time while a Job is active under Forbid, replaces it under Replace', () => {
    const running = job('tick-old', 'active', '2026-01-01T12:01:00Z');
    const at = new Date('2026-01-01T12:02:05Z');
    const since = { lastScheduleTime: '2026-01-01T12:01:00Z' };
    expect(reconcileCronJob(cronJob({ concurrencyPolicy: 'Forbid' }, since), [running], at).start).toBeUndefined();
    const replace = reconcileCronJob(cronJob({ concurrencyPolicy: 'Replace' }, since), [running], at);
    expect(replace.start?.scheduledTime.toISOString()).toBe('2026-01-01T12:02:00.000Z');
    expect(replace.remove).toEqual([{ job: running, reason: 'replace' }]);
    const allow = reconcileCronJob(cronJob({}, since), [running], at);
    expect(allow.start).toBeDefined();
    expect(allow.status.active?.map((r) => r.name)).toEqual(['tick-old']);
  });

  it('keeps successfulJobsHistoryLimit and failedJobsHistoryLimit finished Jobs, deleting the oldest', () => {
    const jobs = [
      job('a', 'Complete', '2026-01-01T12:01:00Z'),
      job('b', 'Complete', '2026-01-01T12:02:00Z'),
      job('c', 'Failed', '2026-01-01T12:03:00Z'),
      job('d', 'Failed', '2026-01-01T12:04:00Z'),
    ];
    const plan = reconcileCronJob(cronJob({ successfulJobsHistoryLimit: 1 }), jobs, new Date('2026-01-01T12:04:30Z'));
    expect(plan.remove.map((r) => r.job.metadata.name)).toEqual(['a', 'c']);
    expect(plan.status.lastSuccessfulTime).toBe('2026-01-01T12:02:00Z');
  });

  it('makes Jobs with the generated selector and the scheduled-timestamp annotation', () => {
    const j = jobFromTemplate(cronJob(), 'tick-1', new Date('2026-01-01T12:01:00Z'), 'j1', new Date(CREATED));
    expect(j.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'j1' } });
    expect(j.spec.template.metadata?.labels?.['job-name']).toBe('tick-1');
    expect(j.spec.backoffLimit).toBe(6);
    expect(j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe('2026-01-01T12:01:00Z');
    expect(j.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'tick', controller: true });
  });
});

describe('schedule helpers', () => {
  it('finds the most recent time in a window and runs a scaled clock', () => {
    const t = mostRecentScheduleTime('*/5 * * * *', new Date('2026-01-01T12:00:00Z'), new Date('2026-01-01T12:17:00Z'));
    expect(t?.toISOString()).toBe('2026-01-01T12:15:00.000Z');
    const berlin = mostRecentScheduleTime(
      '0 13 * * *',
      new Date('2026-01-01T00:00:00Z'),
      new Date('2026-01-01T12:30:00Z'),
      'Europe/Berlin',
    );
    expect(berlin?.toISOString()).toBe('2026-01-01T12:00:00.000Z');
    let real = 1_000_000;
    const clock = scaledClock(30, () => real);
    real += 2_000;
    expect(clock().getTime()).toBe(1_000_000 + 60_000);
  });
});
