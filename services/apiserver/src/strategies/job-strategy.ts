/**
 * Jobs (batch/v1): a status subresource, and the selector the apiserver generates on
 * create unless `manualSelector` is true (jobStrategy's generateSelector): the Job's uid
 * under `batch.kubernetes.io/controller-uid` and its name under
 * `batch.kubernetes.io/job-name`, with the legacy `controller-uid` / `job-name` labels
 * on the pod template.
 */
import type { KubeObject } from '@kemu/api';
import { statusStrategy } from './default-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';

type JobLike = KubeObject & {
  spec?: {
    manualSelector?: boolean;
    selector?: unknown;
    template?: { metadata?: { labels?: Record<string, string> } };
  };
};

/** Adds the generated selector and template labels to a Job about to be created. */
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

/** The strategy of Jobs. */
export const jobStrategy: ResourceStrategy = {
  ...statusStrategy,
  prepareForCreate(obj) {
    statusStrategy.prepareForCreate(obj);
    generateJobSelector(obj);
  },
};
