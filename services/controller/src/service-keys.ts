/**
 * Which Services a change concerns, for the controllers keyed by Service: a Service
 * change its own, and a pod change those in the pod's namespace whose selector
 * matches the pod's labels before or after the change (a relabelled pod must leave the
 * old Service's endpoints and join the new one's). A pod update that changes nothing the
 * endpoints show (a restart count, a container's state) concerns none, as Kubernetes'
 * podEndpointsChanged decides.
 */
import { type Pod, deepEqual } from '@kemu/api';
import { type ResourceHandlers, onEveryChange } from '@kemu/eventlog';
import { keyOf } from './controller.js';
import { isPodReady, isPodTerminal } from './conditions.js';
import type { ServicePodIndex } from './service-pod-index.js';
import { podIPv4 } from './service-pods.js';

/** Handlers that queue the Services whose endpoints may change with a Service or pod change. */
export function serviceKeyHandlers(
  index: ServicePodIndex,
  enqueue: (key: string) => void,
): Required<Pick<ResourceHandlers, 'services' | 'pods'>> {
  return {
    services: onEveryChange((svc) => enqueue(keyOf('services', svc))),
    pods: onEveryChange((pod, old, change) => {
      if (change.type === 'MODIFIED' && old && !podEndpointsChanged(old, pod)) return;
      for (const k of serviceKeysForPod(index, pod, old)) enqueue(k);
    }),
  };
}

/** Keys of the Services whose endpoints may change with this pod change (`old` its state before). */
export function serviceKeysForPod(index: ServicePodIndex, pod: Pod, old: Pod | undefined): string[] {
  const namespace = pod.metadata.namespace ?? 'default';
  const keys = index.servicesMatching(namespace, pod.metadata.labels);
  if (!old || deepEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {})) return keys;
  return [...new Set([...keys, ...index.servicesMatching(namespace, old.metadata.labels)])];
}

/**
 * Whether a pod update changes what Endpoints or EndpointSlices show of it (podEndpointsChanged,
 * widened to everything service-pods.ts and the planners read): labels, hostname and
 * subdomain, deletion, readiness, phase, IP, node, uid and container ports.
 */
export function podEndpointsChanged(old: Pod, pod: Pod): boolean {
  return (
    !deepEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {}) ||
    old.metadata.deletionTimestamp !== pod.metadata.deletionTimestamp ||
    old.metadata.uid !== pod.metadata.uid ||
    isPodReady(old) !== isPodReady(pod) ||
    isPodTerminal(old) !== isPodTerminal(pod) ||
    podIPv4(old) !== podIPv4(pod) ||
    old.spec.nodeName !== pod.spec.nodeName ||
    old.spec.hostname !== pod.spec.hostname ||
    old.spec.subdomain !== pod.spec.subdomain ||
    !deepEqual(
      (old.spec.containers ?? []).map((c) => c.ports ?? []),
      (pod.spec.containers ?? []).map((c) => c.ports ?? []),
    )
  );
}
