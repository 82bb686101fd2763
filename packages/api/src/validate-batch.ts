/**
 * Job and CronJob validation (batch/v1 ValidateJobSpec, ValidateCronJobSpec) and the
 * DaemonSet's (apps/v1 ValidateDaemonSetSpec), on defaulted specs.
 */
import { CronScheduleError, parseCronSchedule } from './cron-schedule.js';
import { isKnownTimeZone } from './cron-time-zone.js';
import { deepEqual } from './deep-equal.js';
import type { StatusCause } from './errors.js';
import { invalidValue, notSupported, required } from './field-errors.js';
import type { CronJob, DaemonSet, JobSpec } from './types.js';
import { fieldImmutable } from './validate-meta.js';
import { nonNegative, validateSelectorAndTemplate } from './validate-template.js';
import { goLabelSelector } from './validate-workloads.js';

const JOB_RESTART = ['OnFailure', 'Never'];

function jobFields(s: Partial<JobSpec>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const f of ['parallelism', 'completions', 'backoffLimit'] as const)
    causes.push(...nonNegative(s[f], `${path}.${f}`));
  if (typeof s.activeDeadlineSeconds === 'number' && s.activeDeadlineSeconds <= 0)
    causes.push(invalidValue(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, 'must be greater than 0'));
  const mode = s.completionMode;
  if (mode === 'Indexed') {
    if (s.completions === undefined || s.completions === null)
      causes.push(required(`${path}.completions`, 'when completion mode is Indexed'));
  } else if (mode && mode !== 'NonIndexed')
    causes.push(notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  return causes;
}

/** ValidateJobSpec on a Job whose selector has been generated. */
export function validateJobSpec(spec: Partial<JobSpec> | undefined): StatusCause[] {
  const s = spec ?? {};
  return [...jobFields(s, 'spec'), ...validateSelectorAndTemplate(s.selector, s.template, 'job', JOB_RESTART)];
}

/** ValidateJobSpecUpdate: selector, template and completions are immutable. */
export function validateJobSpecUpdate(
  spec: Partial<JobSpec> | undefined,
  old: Partial<JobSpec> | undefined,
): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!deepEqual(spec?.selector ?? null, old?.selector ?? null))
    causes.push(invalidValue('spec.selector', goLabelSelector(spec?.selector), fieldImmutable));
  if (!deepEqual(spec?.template ?? null, old?.template ?? null))
    causes.push(invalidValue('spec.template', spec?.template, fieldImmutable));
  if ((spec?.completions ?? null) !== (old?.completions ?? null))
    causes.push(invalidValue('spec.completions', spec?.completions, fieldImmutable));
  return causes;
}

/** ValidateCronJobSpec: a schedule that parses, a known concurrency policy, the job template. */
export function validateCronJobSpec(spec: Partial<CronJob['spec']> | undefined): StatusCause[] {
  const s = spec ?? {};
  const causes: StatusCause[] = [];
  if (!s.schedule) causes.push(required('spec.schedule'));
  else
    try {
      parseCronSchedule(s.schedule);
    } catch (err) {
      if (!(err instanceof CronScheduleError)) throw err;
      causes.push(invalidValue('spec.schedule', s.schedule, err.message));
    }
  if (s.timeZone !== undefined && !isKnownTimeZone(s.timeZone))
    causes.push(invalidValue('spec.timeZone', s.timeZone, `unknown time zone ${s.timeZone}`));
  const policy = s.concurrencyPolicy;
  if (!policy) causes.push(required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(policy))
    causes.push(notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  causes.push(...nonNegative(s.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  causes.push(...nonNegative(s.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  causes.push(...nonNegative(s.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const job = s.jobTemplate?.spec;
  if (!job) return [...causes, required('spec.jobTemplate.spec')];
  causes.push(...jobFields(job, 'spec.jobTemplate.spec'));
  // The Job's selector is generated when a Job is made, so only the template is checked here.
  const labels = job.template?.metadata?.labels ?? {};
  const selector =
    job.selector ?? (Object.keys(labels).length > 0 ? { matchLabels: labels } : { matchLabels: { x: 'x' } });
  const t = job.template
    ? { ...job.template, metadata: { ...job.template.metadata, labels: { ...labels, ...selector.matchLabels } } }
    : undefined;
  causes.push(...validateSelectorAndTemplate(selector, t, 'job', JOB_RESTART, 'spec.jobTemplate.spec'));
  return causes;
}

/** ValidateDaemonSetSpec. */
export function validateDaemonSetSpec(spec: Partial<DaemonSet['spec']> | undefined): StatusCause[] {
  const s = spec ?? {};
  const causes = validateSelectorAndTemplate(s.selector, s.template, 'daemonset', ['Always']);
  const type = s.updateStrategy?.type;
  if (!type) causes.push(required('spec.updateStrategy.type'));
  else if (type !== 'RollingUpdate' && type !== 'OnDelete')
    causes.push(notSupported('spec.updateStrategy.type', type, ['OnDelete', 'RollingUpdate']));
  causes.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  return causes;
}
