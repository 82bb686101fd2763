/**
 * Which pod, container and node a log, exec or attach request is for, with the errors
 * kube-apiserver gives: NotFound for the pod, BadRequest for a container that is not in
 * it (or a missing one when there are several) and for a pod without a node.
 */
import { type Pod, badRequest, resourceByName } from '@kemu/api';
import type { ApiContext } from '../context.js';
import { getStored } from '../verbs/object-read.js';

/** A pod's container on its node. */
export interface PodStreamTarget {
  pod: Pod;
  container: string;
  /** The pod's node; undefined while unscheduled. */
  node: string | undefined;
}

/** Resolves the pod and container of a `pods/<name>/<subresource>` request. */
export function podStreamTarget(
  ctx: ApiContext,
  namespace: string,
  name: string,
  containerParam: string | null,
): PodStreamTarget {
  const type = resourceByName('pods');
  if (!type) throw new Error('pods are not a known resource');
  const pod = getStored(ctx, type, namespace, name) as Pod;
  const names = pod.spec.containers.map((c) => c.name);
  let container = containerParam ?? '';
  if (container === '') {
    if (names.length !== 1) {
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    }
    container = names[0] as string;
  } else if (!names.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  return { pod, container, node: pod.spec.nodeName || undefined };
}
