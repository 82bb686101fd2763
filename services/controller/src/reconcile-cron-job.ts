/**
 * The CronJob planner, pure (cronjob_controllerv2.go syncCronJob): from a CronJob, the
 * Jobs it owns and the time, which Job to start (named `<cronjob>-<scheduled minutes
 * since the epoch>` so a time is never run twice), which Jobs to delete (the active
 * ones under `Replace`, finished ones past the history limits, oldest first) and the
 * status. `Forbid` skips a time while a Job is active, as Kubernetes does (without
 * moving lastScheduleTime, so the time runs once the active Job ends if still within
 * startingDeadlineSeconds). Schedules run on the wall clock of `timeZone` (UTC by default).
 */
import { type CronJob, type Job, type ObjectReferenceLike, nextCronTimeIn, parseCronSchedule } from '@kemu/api';
import { rfc3339 } from './conditions.js';
import { hasJobCondition, isJobFinished } from './reconcile-job.js';

/** What a CronJob sync should do. */
export interface CronJobPlan {
  /** The scheduled time of the Job to create, if one is due. */
  start?: { name: string; scheduledTime: Date };
  /** Jobs to delete (with their pods), in order, and why. */
  remove: { job: Job; reason: 'replace' | 'history' }[];
  status: NonNullable<CronJob['status']>;
  /** When the next scheduled time comes (undefined: none within five years, or suspended). */
  next?: Date;
  /** Finished Jobs seen for the first time as active (a SawCompletedJob event each). */
  sawCompleted: Job[];
}

/** The name of the Job of a scheduled time (getJobName). */
export function cronJobName(cj: CronJob, scheduledTime: Date): string {
  return `${cj.metadata.name}-${Math.floor(scheduledTime.getTime() / 60_000)}`;
}

/** The most recent scheduled time in (since, now] on `timeZone`'s wall clock (UTC when absent), or undefined (mostRecentScheduleTime). */
export function mostRecentScheduleTime(schedule: string, since: Date, now: Date, timeZone?: string): Date | undefined {
  const s = parseCronSchedule(schedule);
  let last: Date | undefined;
  // Bounded as Kubernetes bounds missed start times; a later one is as good for "the most recent".
  let steps = 0;
  for (
    let t = nextCronTimeIn(s, since, timeZone);
    t && t.getTime() <= now.getTime() && steps < 100_000;
    t = nextCronTimeIn(s, t, timeZone)
  ) {
    last = t;
    steps++;
  }
  return last;
}

function ref(job: Job): ObjectReferenceLike {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: job.metadata.name,
    namespace: job.metadata.namespace ?? 'default',
    uid: job.metadata.uid ?? '',
    ...(job.metadata.resourceVersion ? { resourceVersion: job.metadata.resourceVersion } : {}),
  };
}

function startedAt(job: Job): number {
  return Date.parse(job.status?.startTime ?? job.metadata.creationTimestamp ?? '') || 0;
}

/** Plans one sync of `cj` given the Jobs it controls, at `now` (the controller's clock). */
export function reconcileCronJob(cj: CronJob, jobs: readonly Job[], now: Date): CronJobPlan {
  const wasActive = new Set((cj.status?.active ?? []).map((r) => r.uid));
  const active = jobs.filter((j) => !isJobFinished(j) && !j.metadata.deletionTimestamp);
  const finished = jobs.filter(isJobFinished);
  const sawCompleted = finished.filter((j) => wasActive.has(j.metadata.uid));
  const lastSuccess = Math.max(
    Date.parse(cj.status?.lastSuccessfulTime ?? '') || 0,
    ...finished
      .filter((j) => hasJobCondition(j, 'Complete'))
      .map((j) => Date.parse(j.status?.completionTime ?? '') || 0),
  );
  const status: NonNullable<CronJob['status']> = {
    ...(active.length > 0 ? { active: active.map(ref) } : {}),
    ...(cj.status?.lastScheduleTime ? { lastScheduleTime: cj.status.lastScheduleTime } : {}),
    ...(lastSuccess > 0 ? { lastSuccessfulTime: rfc3339(new Date(lastSuccess)) } : {}),
  };
  const plan: CronJobPlan = { remove: [], status, sawCompleted };

  const limits = { Complete: cj.spec.successfulJobsHistoryLimit ?? 3, Failed: cj.spec.failedJobsHistoryLimit ?? 1 };
  for (const type of ['Complete', 'Failed'] as const) {
    const old = finished.filter((j) => hasJobCondition(j, type)).sort((a, b) => startedAt(a) - startedAt(b));
    for (const job of old.slice(0, Math.max(0, old.length - limits[type])))
      plan.remove.push({ job, reason: 'history' });
  }
  if (cj.spec.suspend || cj.metadata.deletionTimestamp) return plan;

  const since = new Date(
    Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now.getTime(),
  );
  const schedule = parseCronSchedule(cj.spec.schedule);
  plan.next = nextCronTimeIn(schedule, now, cj.spec.timeZone);
  const scheduled = mostRecentScheduleTime(cj.spec.schedule, since, now, cj.spec.timeZone);
  if (!scheduled) return plan;
  const deadline = cj.spec.startingDeadlineSeconds;
  if (deadline !== undefined && scheduled.getTime() + deadline * 1000 < now.getTime()) return plan;
  const name = cronJobName(cj, scheduled);
  if (jobs.some((j) => j.metadata.name === name)) {
    status.lastScheduleTime = rfc3339(scheduled);
    return plan;
  }
  const policy = cj.spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) return plan;
  if (policy === 'Replace') {
    for (const job of active) plan.remove.push({ job, reason: 'replace' });
    if (active.length > 0) delete status.active;
  }
  plan.start = { name, scheduledTime: scheduled };
  status.lastScheduleTime = rfc3339(scheduled);
  return plan;
}
