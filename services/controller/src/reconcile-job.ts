/**
 * The Job planner, pure (job_controller.go syncJob for NonIndexed Jobs): how many pods
 * to create (up to parallelism, never more than the completions still missing), which
 * to delete, and the status with Kubernetes' conditions. More failed pods than
 * backoffLimit (or a passed activeDeadlineSeconds) fail the Job: FailureTarget at once,
 * Failed once no pod is left running. Enough succeeded pods complete it:
 * SuccessCriteriaMet, then Complete. After a failure the next pod waits
 * 10 s × 2^(failures−1), at most 10 min (the pod failure backoff). A suspended Job
 * deletes its pods (condition Suspended); resuming sets Suspended False and starts again.
 */
import type { Job, Pod, WorkloadCondition } from '@kemu/api';
import { isPodReady, rfc3339 } from './conditions.js';
import { completionIndexOf, formatIndexes, planIndexed } from './job-indexes.js';
import { compareForDeletion } from './replica-set-pods.js';

/** The first pod failure backoff (DefaultJobPodFailureBackOff). */
export const JOB_BACKOFF_BASE_MS = 10_000;
/** The longest pod failure backoff (MaxJobPodFailureBackOff). */
export const JOB_BACKOFF_MAX_MS = 600_000;

/** An event the sync should record on the Job. */
export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What a Job sync should write. */
export interface JobPlan {
  create: number;
  /** Indexed Jobs: the completion indexes to create pods for (create is their count). */
  createIndexes: number[];
  /** Pods are wanted but the failure backoff holds them for this long (0: none). */
  createAfterMs: number;
  remove: Pod[];
  status: NonNullable<Job['status']>;
  events: JobEvent[];
}

const COMPLETIONS_REACHED = { reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
const BACKOFF_EXCEEDED = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
const SUSPENDED = { reason: 'JobSuspended', message: 'Job suspended' };
const RESUMED = { reason: 'JobResumed', message: 'Job resumed' };
const DEADLINE_EXCEEDED = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

/** True when the Job has a condition of `type` with status True. */
export function hasJobCondition(job: Pick<Job, 'status'>, type: string): boolean {
  return job.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

/** True once the Job is Complete or Failed (IsJobFinished). */
export function isJobFinished(job: Pick<Job, 'status'>): boolean {
  return hasJobCondition(job, 'Complete') || hasJobCondition(job, 'Failed');
}

function condition(type: string, why: { reason: string; message: string }, now: Date): WorkloadCondition {
  const t = rfc3339(now);
  return { type, status: 'True', lastProbeTime: t, lastTransitionTime: t, ...why };
}

function withCondition(list: WorkloadCondition[], c: WorkloadCondition): WorkloadCondition[] {
  return list.some((x) => x.type === c.type && x.status === 'True')
    ? list
    : [...list.filter((x) => x.type !== c.type), c];
}

// When a failed pod finished: its containers' termination, else its last condition change.
function finishedAt(pod: Pod): number {
  const times: number[] = [];
  for (const cs of pod.status?.containerStatuses ?? []) {
    const t = (cs.state as { terminated?: { finishedAt?: string } } | undefined)?.terminated?.finishedAt;
    if (t) times.push(Date.parse(t));
  }
  for (const c of pod.status?.conditions ?? []) if (c.lastTransitionTime) times.push(Date.parse(c.lastTransitionTime));
  return times.length > 0 ? Math.max(...times) : Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
}

/** Plans one sync of `job` given the pods it controls (any state). */
export function reconcileJob(job: Job, pods: readonly Pod[], now: Date): JobPlan {
  const spec = job.spec;
  const phase = (p: Pod) => p.status?.phase;
  const active = pods.filter((p) => phase(p) !== 'Succeeded' && phase(p) !== 'Failed' && !p.metadata.deletionTimestamp);
  const terminating = pods.filter(
    (p) => p.metadata.deletionTimestamp && phase(p) !== 'Succeeded' && phase(p) !== 'Failed',
  );
  const indexed = spec.completionMode === 'Indexed';
  const succeededIndexes = new Set<number>();
  for (const p of pods) {
    const index = phase(p) === 'Succeeded' ? completionIndexOf(p) : undefined;
    if (index !== undefined && index < (spec.completions ?? 0)) succeededIndexes.add(index);
  }
  const succeeded = indexed ? succeededIndexes.size : pods.filter((p) => phase(p) === 'Succeeded').length;
  const failedPods = pods.filter((p) => phase(p) === 'Failed');
  const failed = failedPods.length;
  let conditions = [...(job.status?.conditions ?? [])];
  const events: JobEvent[] = [];
  let startTime = job.status?.startTime ?? (spec.suspend ? undefined : rfc3339(now));
  const plan: JobPlan = { create: 0, createIndexes: [], createAfterMs: 0, remove: [], status: {}, events };
  const finish = () => {
    plan.status = {
      ...(job.status ?? {}),
      conditions: conditions.length > 0 ? conditions : undefined,
      startTime,
      active: active.length - plan.remove.filter((p) => active.includes(p)).length,
      ready: active.filter(isPodReady).length,
      succeeded,
      failed,
      terminating: terminating.length + plan.remove.length,
      uncountedTerminatedPods: {},
      ...(indexed ? { completedIndexes: formatIndexes([...succeededIndexes]) } : {}),
    };
    for (const k of ['conditions', 'startTime', 'completionTime'] as const)
      if (plan.status[k] === undefined) delete plan.status[k];
    return plan;
  };

  if (isJobFinished(job)) {
    if (hasJobCondition(job, 'Failed')) plan.remove = [...active];
    return finish();
  }

  // A suspended Job has no pods and no start time; resuming starts the clock again.
  if (spec.suspend) {
    if (!hasJobCondition(job, 'Suspended')) {
      conditions = [...conditions.filter((c) => c.type !== 'Suspended'), condition('Suspended', SUSPENDED, now)];
      events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
    }
    startTime = undefined;
    plan.remove = [...active];
    return finish();
  }
  if (hasJobCondition(job, 'Suspended')) {
    conditions = conditions.map((c) =>
      c.type === 'Suspended' ? { ...condition('Suspended', RESUMED, now), status: 'False' } : c,
    );
    events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
  }

  const completions = spec.completions ?? null;
  const deadline = spec.activeDeadlineSeconds;
  const pastDeadline =
    deadline !== undefined && startTime !== undefined && Date.parse(startTime) + deadline * 1000 <= now.getTime();
  const failure = failed > (spec.backoffLimit ?? 6) ? BACKOFF_EXCEEDED : pastDeadline ? DEADLINE_EXCEEDED : undefined;
  const target = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
  if (failure || target) {
    const why = target ? { reason: target.reason ?? '', message: target.message ?? '' } : (failure as JobEvent);
    if (!target) conditions = withCondition(conditions, condition('FailureTarget', why, now));
    plan.remove = [...active];
    if (active.length === 0 && terminating.length === 0) {
      conditions = withCondition(conditions, condition('Failed', why, now));
      events.push({ type: 'Warning', reason: why.reason, message: why.message });
    }
    return finish();
  }

  const done = completions !== null ? succeeded >= completions : succeeded > 0 && active.length === 0;
  if (done || hasJobCondition(job, 'SuccessCriteriaMet')) {
    conditions = withCondition(conditions, condition('SuccessCriteriaMet', COMPLETIONS_REACHED, now));
    plan.remove = [...active];
    if (active.length === 0 && terminating.length === 0) {
      conditions = withCondition(conditions, condition('Complete', COMPLETIONS_REACHED, now));
      events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
      finish();
      plan.status.completionTime = rfc3339(now);
      return plan;
    }
    return finish();
  }

  const parallelism = spec.parallelism ?? 1;
  if (indexed) {
    planIndexed(plan, active, backoffRemainingMs(failedPods, now), succeededIndexes, completions ?? 0, parallelism);
    return finish();
  }
  // Work-queue Jobs (no completions) stop starting pods once one has succeeded.
  const wanted =
    completions === null
      ? succeeded > 0
        ? Math.min(active.length, parallelism)
        : parallelism
      : Math.min(parallelism, completions - succeeded);
  if (active.length > wanted) plan.remove = [...active].sort(compareForDeletion).slice(0, active.length - wanted);
  else if (active.length < wanted) {
    const wait = backoffRemainingMs(failedPods, now);
    if (wait > 0) plan.createAfterMs = wait;
    else plan.create = wanted - active.length;
  }
  return finish();
}

/** How long the pod failure backoff still holds new pods, given the failed pods. */
export function backoffRemainingMs(failedPods: readonly Pod[], now: Date): number {
  if (failedPods.length === 0) return 0;
  const last = Math.max(...failedPods.map(finishedAt));
  const delay = Math.min(JOB_BACKOFF_BASE_MS * 2 ** (failedPods.length - 1), JOB_BACKOFF_MAX_MS);
  return Math.max(0, last + delay - now.getTime());
}

/** When a finished Job with ttlSecondsAfterFinished is due for deletion (ms since the epoch), else undefined. */
export function jobExpiry(job: Job): number | undefined {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || !isJobFinished(job)) return undefined;
  const done = job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  const at = Date.parse(job.status?.completionTime ?? done?.lastTransitionTime ?? '');
  return Number.isNaN(at) ? undefined : at + ttl * 1000;
}
