/**
 * How a controller deletes a pod, the way the apiserver does on DELETE: a pod bound to
 * a node is only marked (deletionTimestamp = now + grace, deletionGracePeriodSeconds) so
 * its node-agent stops it gracefully and removes it; an unbound or finished pod is
 * removed at once.
 */
import type { KubeObject, Pod } from '@kemu/api';
import type { ObjectWriter } from '@kemu/eventlog';
import { isPodTerminal, rfc3339 } from './conditions.js';

/** terminationGracePeriodSeconds when the pod does not say. */
const DEFAULT_GRACE_SECONDS = 30;

/** The grace period a delete of `pod` gets: 0 when no node-agent would stop it. */
export function podDeleteGrace(pod: Pod): number {
  if (!pod.spec.nodeName || isPodTerminal(pod)) return 0;
  return Math.max(0, pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS);
}

/**
 * Deletes `pod` gracefully or at once; a pod already gone or already being deleted is
 * left alone, and so is one for which `still` (checked on the current object) is false.
 */
export async function deletePod(
  writer: ObjectWriter,
  pod: Pod,
  now: Date,
  still: (current: KubeObject) => boolean = () => true,
): Promise<void> {
  const key = { resource: 'pods', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name };
  const grace = podDeleteGrace(pod);
  if (grace === 0) {
    await writer.remove(key, pod, Number(pod.metadata.resourceVersion));
    return;
  }
  await writer.update(key, (o) => {
    if (o.metadata.uid !== pod.metadata.uid || o.metadata.deletionTimestamp || !still(o)) return undefined;
    o.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    o.metadata.deletionGracePeriodSeconds = grace;
    return o;
  });
}
