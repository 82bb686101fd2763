/**
 * Which Services a change concerns, for the controllers keyed by Service: a Service
 * change its own, and a pod change those in the pod's namespace whose selector
 * matches the pod's labels before or after the change (a relabelled pod must leave the
 * old Service's endpoints and join the new one's).
 */
import { type Pod, type Service, selectorMatches } from '@kemu/api';
import { type Change, type View, listObjects } from '@kemu/eventlog';
import { keyOf } from './controller.js';
import { hasSelector } from './service-pods.js';

/** Keys of the Services whose endpoints may change with a Service or pod change; none for other resources. */
export function serviceKeysForChange(view: View, change: Change): string[] {
  if (change.key.resource === 'services') return [keyOf('services', change.object)];
  if (change.key.resource === 'pods') return serviceKeysForPodChange(view, change);
  return [];
}

/** Keys of the Services whose endpoints may change with this pod change. */
export function serviceKeysForPodChange(view: View, change: Change): string[] {
  const pod = change.object as Pod;
  const old = change.old as Pod | undefined;
  const keys: string[] = [];
  for (const svc of listObjects(view, 'services', pod.metadata.namespace ?? 'default')) {
    if (!hasSelector(svc)) continue;
    const sel = svc.spec.selector;
    if (selectorMatches(sel, pod.metadata.labels) || (old && selectorMatches(sel, old.metadata.labels)))
      keys.push(keyOf('services', svc));
  }
  return keys;
}
