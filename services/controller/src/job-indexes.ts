/**
 * Indexed Jobs, pure: each pod carries a completion index (annotation and label
 * `batch.kubernetes.io/job-completion-index`); one active pod per index not yet
 * succeeded, lowest indexes first, and `status.completedIndexes` as `0-2,4`.
 */
import type { Pod } from '@kemu/api';
import type { JobPlan } from './reconcile-job.js';
import { compareForDeletion } from './replica-set-pods.js';

/** Job pod annotation and label: the completion index of an Indexed Job's pod. */
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/** The completion index of a pod of an Indexed Job, if it has a valid one. */
export function completionIndexOf(pod: Pod): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX];
  return v !== undefined && /^(0|[1-9]\d*)$/.test(v) ? Number(v) : undefined;
}

/** `0-2,4,6-7`: sorted indexes with runs collapsed, as status.completedIndexes writes them. */
export function formatIndexes(indexes: readonly number[]): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** Plans the pods of an Indexed Job into `plan`: removals, and the indexes to create unless the backoff holds them. */
export function planIndexed(
  plan: JobPlan,
  active: readonly Pod[],
  backoffMs: number,
  succeeded: ReadonlySet<number>,
  completions: number,
  parallelism: number,
): void {
  const seen = new Set<number>();
  const keep: Pod[] = [];
  for (const pod of active) {
    const i = completionIndexOf(pod);
    if (i === undefined || i >= completions || succeeded.has(i) || seen.has(i)) plan.remove.push(pod);
    else {
      seen.add(i);
      keep.push(pod);
    }
  }
  if (keep.length > parallelism)
    plan.remove.push(...[...keep].sort(compareForDeletion).slice(0, keep.length - parallelism));
  const room = parallelism - keep.length;
  if (room > 0 && plan.remove.length === 0) {
    const missing: number[] = [];
    for (let i = 0; i < completions && missing.length < room; i++)
      if (!succeeded.has(i) && !seen.has(i)) missing.push(i);
    if (missing.length > 0) {
      if (backoffMs > 0) plan.createAfterMs = backoffMs;
      else {
        plan.createIndexes = missing;
        plan.create = missing.length;
      }
    }
  }
}
