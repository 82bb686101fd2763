/**
 * The pods of a StatefulSet, pure (stateful_set_utils.go): each has a stable identity,
 * name `<set>-<ordinal>`, hostname = its name and subdomain = the governing Service, so
 * the headless Service gives it the DNS name `<pod>.<service>.<ns>.svc.<zone>`; labels
 * say its name, ordinal and the revision it was made from.
 */
import {
  CONTROLLER_REVISION_HASH_LABEL,
  POD_INDEX_LABEL,
  type Pod,
  type PodTemplateSpec,
  STATEFULSET_POD_NAME_LABEL,
  type StatefulSet,
  defaultObject,
} from '@kemu/api';
import { isPodReady, rfc3339 } from './conditions.js';
import { newControllerRef } from './controller-ref.js';

/** The ordinal of a pod of `set` from its name, or undefined when the name is not `<set>-<n>`. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  const prefix = `${setName}-`;
  if (!podName.startsWith(prefix)) return undefined;
  const rest = podName.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

/** The name of the pod of `set` with `ordinal`. */
export function statefulPodName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** The revision (controller-revision-hash label) a pod was made from. */
export function podRevision(pod: Pod): string | undefined {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
}

/** True when the pod is Running and Ready (isRunningAndReady). */
export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** True for a pod that failed or succeeded: the controller deletes and recreates it. */
export function isFinished(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/** The pod `ordinal` of `set` from `template` at `revision`, defaulted as the apiserver would store it. */
export function statefulSetPod(
  set: StatefulSet,
  template: PodTemplateSpec,
  revision: string,
  ordinal: number,
  uid: string,
  now: Date,
): Pod {
  const name = statefulPodName(set, ordinal);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace ?? 'default',
      uid,
      creationTimestamp: rfc3339(now),
      labels: {
        ...(template.metadata?.labels ?? {}),
        [STATEFULSET_POD_NAME_LABEL]: name,
        [POD_INDEX_LABEL]: String(ordinal),
        [CONTROLLER_REVISION_HASH_LABEL]: revision,
      },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(set)],
    },
    spec: { ...structuredClone(template.spec), hostname: name },
  };
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  return defaultObject(pod);
}
