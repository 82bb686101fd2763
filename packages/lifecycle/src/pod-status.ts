/**
 * Maps a pod's runtime to the Kubernetes PodStatus the kubelet would publish: phase as
 * kubelet's getPhase computes it, the five conditions, container states with lastState,
 * and addresses. Pure: the previous status (on `pod`) supplies lastTransitionTime for
 * conditions whose status did not change, `now` the time of those that did, so the
 * same runtime always maps to the same status and unchanged pods cause no writes.
 */
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from '@kemu/api';
import { type PodRuntime, type PodSnapshot, type ContainerRuntime, podRuntimeFromSnapshot } from './pod-runtime.js';
import { qosClass } from './qos-class.js';
import type { RestartPolicy, Termination } from './types.js';

type Phase = NonNullable<PodStatus['phase']>;

/** Kubelet's getPhase over the containers' runtime. */
export function podPhase(containers: readonly ContainerRuntime[], restartPolicy: RestartPolicy): Phase {
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of containers) {
    if (c.phase === 'running' || c.phase === 'stopping') running++;
    else if (c.phase === 'terminated' || c.phase === 'stopped') {
      stopped++;
      if (c.exit?.exitCode === 0) succeeded++;
    } else if (c.exit) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === 0) return 'Pending';
  const allDone = containers.every((c) => c.phase === 'terminated' || c.phase === 'stopped');
  if (!allDone) return 'Running';
  if (restartPolicy === 'Always' && !containers.every((c) => c.phase === 'stopped')) return 'Running';
  return stopped === succeeded ? 'Succeeded' : 'Failed';
}

function terminatedState(t: Termination): ContainerState {
  const { exitCode, signal, reason, message, startedAt, finishedAt, containerID } = t;
  return {
    terminated: {
      exitCode,
      ...(signal !== undefined ? { signal } : {}),
      reason,
      ...(message ? { message } : {}),
      ...(startedAt ? { startedAt } : {}),
      finishedAt,
      ...(containerID ? { containerID } : {}),
    },
  };
}

function containerStatus(c: ContainerRuntime, spec: Container | undefined, pod: Pod): ContainerStatus {
  const image = spec?.image ?? '';
  const last = (t: Termination | undefined): ContainerState => (t ? terminatedState(t) : {});
  const base = { name: c.name, image, restartCount: c.restartCount };
  const ids = (containerID: string | undefined) =>
    containerID ? { imageID: `kemu://image/${image}`, containerID } : { imageID: '' };
  const live = c.phase === 'running' || (c.phase === 'stopping' && c.startedAt !== undefined);
  if (live) {
    return {
      ...base,
      ...ids(c.pid !== undefined ? `kemu://${c.pid}` : undefined),
      ready: c.ready,
      started: c.startupPending !== true,
      state: { running: { startedAt: c.startedAt ?? '' } },
      lastState: last(c.exit),
    };
  }
  if ((c.phase === 'terminated' || c.phase === 'stopped') && c.exit) {
    return {
      ...base,
      ...ids(c.exit.containerID),
      ready: false,
      started: false,
      state: terminatedState(c.exit),
      lastState: last(c.previousExit),
    };
  }
  if (c.phase === 'backOff') {
    const seconds = Math.round((c.backoffMs ?? 0) / 1000);
    const ns = pod.metadata.namespace ?? 'default';
    return {
      ...base,
      ...ids(c.exit?.containerID),
      ready: false,
      started: false,
      state: {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${seconds}s restarting failed container=${c.name} pod=${pod.metadata.name}_${ns}(${pod.metadata.uid ?? ''})`,
        },
      },
      lastState: last(c.exit),
    };
  }
  return {
    ...base,
    imageID: '',
    ready: false,
    started: false,
    state: {
      waiting: c.configError ? { ...c.configError } : { reason: 'ContainerCreating' },
    },
    lastState: last(c.exit),
  };
}

function condition(
  previous: readonly PodCondition[] | undefined,
  now: string,
  type: string,
  ok: boolean,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const before = previous?.find((p) => p.type === type);
  const lastTransitionTime =
    before && before.status === status && before.lastTransitionTime ? before.lastTransitionTime : now;
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

const OWN_CONDITIONS = new Set([
  'PodReadyToStartContainers',
  'Initialized',
  'Ready',
  'ContainersReady',
  'PodScheduled',
]);

/** Maps plain runtime data to the pod's status. */
export function podStatus(runtime: PodRuntime, pod: Pod, now: string): PodStatus {
  const specs = new Map(pod.spec.containers.map((c) => [c.name, c]));
  const phase = podPhase(runtime.containers, pod.spec.restartPolicy ?? 'Always');
  const previous = pod.status?.conditions;
  const unready = runtime.containers.filter((c) => !c.ready).map((c) => c.name);
  const completed = phase === 'Succeeded';
  const readyReason = completed ? 'PodCompleted' : unready.length > 0 ? 'ContainersNotReady' : undefined;
  const readyMessage =
    !completed && unready.length > 0 ? `containers with unready status: [${unready.join(' ')}]` : undefined;
  const allReady = unready.length === 0 && runtime.containers.length > 0;
  const conditions = [
    condition(previous, now, 'PodReadyToStartContainers', runtime.sandboxReady),
    condition(previous, now, 'Initialized', true, completed ? 'PodCompleted' : undefined),
    condition(previous, now, 'Ready', allReady, readyReason, readyMessage),
    condition(previous, now, 'ContainersReady', allReady, readyReason, readyMessage),
    condition(previous, now, 'PodScheduled', true),
    ...(previous ?? []).filter((c) => !OWN_CONDITIONS.has(c.type)),
  ];
  const ip = runtime.sandboxCreated ? { podIP: runtime.podIP, podIPs: [{ ip: runtime.podIP }] } : {};
  return {
    phase,
    conditions,
    hostIP: runtime.hostIP,
    hostIPs: [{ ip: runtime.hostIP }],
    ...ip,
    startTime: pod.status?.startTime ?? runtime.startTime,
    containerStatuses: runtime.containers.map((c) => containerStatus(c, specs.get(c.name), pod)),
    qosClass: qosClass(pod.spec.containers),
  };
}

/** Maps a pod machine snapshot to the pod's status (see `podStatus`). */
export function podStatusFromSnapshot(snapshot: PodSnapshot, pod: Pod, now: string): PodStatus {
  return podStatus(podRuntimeFromSnapshot(snapshot), pod, now);
}
