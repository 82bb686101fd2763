/**
 * Pods: status, log, exec and attach subresources, and graceful deletion. A pod bound
 * to a node is only marked (deletionTimestamp = now + grace); its node-agent stops the
 * containers and then removes it. An unbound or finished pod, or grace 0, is removed at
 * once.
 */
import type { Pod } from '@kemu/api';
import { statusStrategy } from './default-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';

/** The default terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;

/** The grace period a pod delete gets: 0 for unbound or finished pods. */
export function podGracePeriod(pod: Pod, requested: number | undefined): number {
  const phase = pod.status?.phase;
  if (!pod.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const grace = requested ?? pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  return Math.max(0, grace);
}

/** The strategy of pods. */
export const podStrategy: ResourceStrategy = {
  ...statusStrategy,
  subresources: [
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
  ],
  prepareForDelete(obj, gracePeriodSeconds) {
    const grace = podGracePeriod(obj as Pod, gracePeriodSeconds);
    return grace > 0 ? { graceSeconds: grace } : undefined;
  },
};
