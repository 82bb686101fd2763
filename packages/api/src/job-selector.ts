/**
 * The selector the apiserver generates for a Job unless `manualSelector` is true
 * (jobStrategy's generateSelector): the Job's uid under `batch.kubernetes.io/controller-uid`,
 * with that label, `batch.kubernetes.io/job-name` and the legacy `controller-uid` /
 * `job-name` on the pod template. The CronJob controller applies it to the Jobs it writes.
 */
import type { KubeObject } from './types.js';

type JobLike = KubeObject & {
  spec?: {
    manualSelector?: boolean;
    selector?: unknown;
    template?: { metadata?: { labels?: Record<string, string> } };
  };
};

/** Adds the generated selector and template labels to a Job (with its uid and name) in place. */
export function generateJobSelector(obj: KubeObject): void {
  const job = obj as JobLike;
  const spec = job.spec;
  if (!spec || typeof spec !== 'object' || spec.manualSelector === true) return;
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.metadata.labels = {
    ...spec.template.metadata.labels,
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}
