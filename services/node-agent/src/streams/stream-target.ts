/**
 * Resolves the pod and container a stream request names against the node's view, with
 * the Status a kubelet would answer when it cannot.
 */
import type { Container, ContainerStatus, Pod } from '@kemu/api';
import { type View, getObject } from '@kemu/eventlog';
import { pidOf } from '../pods/pod-adoption.js';
import type { StreamStatus, StreamTarget } from '@kemu/pod-streams';

/** A pod container found on this node. */
export interface ResolvedTarget {
  pod: Pod;
  container: Container;
  status: ContainerStatus | undefined;
  /** Pid of the running instance; undefined when none runs. */
  pid: number | undefined;
  /** containerID of the running instance. */
  containerID: string | undefined;
}

/** A 400 BadRequest Status. */
export function badRequestStatus(message: string): StreamStatus {
  return { code: 400, reason: 'BadRequest', message };
}

/** The container's status in the pod now. */
export function containerStatusOf(pod: Pod | undefined, name: string): ContainerStatus | undefined {
  return pod?.status?.containerStatuses?.find((s) => s.name === name);
}

/** The running instance's containerID, or undefined. */
export function runningContainerID(status: ContainerStatus | undefined): string | undefined {
  return status?.state?.running ? status.containerID : undefined;
}

/** Looks the request's pod and container up among this node's pods. */
export function resolveTarget(view: View, node: string, req: StreamTarget): ResolvedTarget | StreamStatus {
  const pod = getObject(view, { resource: 'pods', namespace: req.namespace, name: req.pod });
  if (!pod || (req.uid && pod.metadata.uid !== req.uid) || pod.spec.nodeName !== node) {
    return { code: 404, reason: 'NotFound', message: `pods "${req.pod}" not found on node "${node}"` };
  }
  const container = pod.spec.containers.find((c) => c.name === req.container);
  if (!container) return badRequestStatus(`container ${req.container} is not valid for pod ${req.pod}`);
  const status = containerStatusOf(pod, container.name);
  const containerID = runningContainerID(status);
  return { pod, container, status, pid: pidOf(containerID), containerID };
}

/** Why a container has no log yet, as the kubelet words it. */
export function waitingMessage(t: ResolvedTarget): string {
  const reason = t.status?.state?.waiting?.reason ?? 'ContainerCreating';
  return `container "${t.container.name}" in pod "${t.pod.metadata.name}" is waiting to start: ${reason}`;
}
