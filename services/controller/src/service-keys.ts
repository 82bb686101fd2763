/**
 * Which Services a change concerns, for the controllers keyed by Service: a Service
 * change its own, and a pod change those in the pod's namespace whose selector
 * matches the pod's labels before or after the change (a relabelled pod must leave the
 * old Service's endpoints and join the new one's).
 */
import { type Pod, selectorMatches } from '@kemu/api';
import { type ResourceHandlers, type View, listObjects, onEveryChange } from '@kemu/eventlog';
import { keyOf } from './controller.js';
import { hasSelector } from './service-pods.js';

/** Handlers that queue the Services whose endpoints may change with a Service or pod change. */
export function serviceKeyHandlers(
  view: View,
  enqueue: (key: string) => void,
): Required<Pick<ResourceHandlers, 'services' | 'pods'>> {
  return {
    services: onEveryChange((svc) => enqueue(keyOf('services', svc))),
    pods: onEveryChange((pod, old) => {
      for (const k of serviceKeysForPod(view, pod, old)) enqueue(k);
    }),
  };
}

/** Keys of the Services whose endpoints may change with this pod change (`old` its state before). */
export function serviceKeysForPod(view: View, pod: Pod, old: Pod | undefined): string[] {
  const keys: string[] = [];
  for (const svc of listObjects(view, 'services', pod.metadata.namespace ?? 'default')) {
    if (!hasSelector(svc)) continue;
    const sel = svc.spec.selector;
    if (selectorMatches(sel, pod.metadata.labels) || (old && selectorMatches(sel, old.metadata.labels)))
      keys.push(keyOf('services', svc));
  }
  return keys;
}
