/**
 * The kubelet's Events about one pod, read off its lifecycle: each runtime snapshot is
 * compared with the previous one per container, and a change becomes the event the
 * kubelet records for it — Pulled, Created, Started when a run begins, BackOff when a
 * restart waits, Killing when a container is stopped — plus Unhealthy for each failed
 * readiness, liveness or startup probe. The first snapshot is only remembered, so adopting a running pod
 * after an agent restart reports nothing new. Events of one pod are written in order.
 */
import type { Pod } from '@kemu/api';
import { containerFieldPath, type EventRecorder, type EventType, objectReference } from '@kemu/event-recorder';
import type { ContainerRuntime, PodRuntime } from '@kemu/lifecycle';

/** One event about a container. */
export interface ContainerEvent {
  type: EventType;
  reason: string;
  message: string;
}

/** What the kubelet records when one container goes from `prev` to `next`. */
export function containerEvents(
  prev: ContainerRuntime | undefined,
  next: ContainerRuntime,
  pod: Pod,
): ContainerEvent[] {
  if (!prev) return [];
  const name = next.name;
  const out: ContainerEvent[] = [];
  if (next.phase === 'running' && next.startedAt && next.startedAt !== prev.startedAt) {
    const image = pod.spec.containers.find((c) => c.name === name)?.image ?? '';
    out.push(
      { type: 'Normal', reason: 'Pulled', message: `Container image "${image}" already present on machine` },
      { type: 'Normal', reason: 'Created', message: `Created container: ${name}` },
      { type: 'Normal', reason: 'Started', message: `Started container ${name}` },
    );
  }
  const waits = next.phase === 'backOff' && (next.backoffMs ?? 0) > 0;
  const waited = prev.phase === 'backOff' && (prev.backoffMs ?? 0) > 0 && prev.restartCount === next.restartCount;
  if (waits && !waited) {
    const where = `${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid ?? ''})`;
    out.push({
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container ${name} in pod ${where}`,
    });
  }
  if (next.phase === 'stopping' && prev.phase !== 'stopping') {
    const message = next.postStartFailed
      ? 'FailedPostStartHook'
      : next.killedUnhealthy
        ? `Container ${name} failed liveness probe, will be restarted`
        : `Stopping container ${name}`;
    out.push({ type: 'Normal', reason: 'Killing', message });
  }
  return out;
}

/** The event side of one pod worker. */
export interface PodEvents {
  /** Records what changed since the last runtime seen. */
  observe(runtime: PodRuntime): void;
  /** A readiness probe attempt of `container` failed. */
  readinessProbeFailed(container: string, message: string): void;
  /** A startup or liveness probe attempt of `container` failed. */
  healthProbeFailed(container: string, kind: 'Startup' | 'Liveness', message: string): void;
  /**
   * A postStart or preStop hook of `container` failed. As the kubelet does, the event says
   * only that (the hook's output could hold secrets); the details go to the agent's log.
   */
  hookFailed(container: string, kind: 'PostStart' | 'PreStop'): void;
}

/** Creates the event reporter of one pod; `pod()` gives its latest version. */
export function createPodEvents(recorder: EventRecorder, pod: () => Pod): PodEvents {
  const last = new Map<string, ContainerRuntime>();
  let chain: Promise<void> = Promise.resolve();

  function emit(container: string, e: ContainerEvent): void {
    const ref = objectReference(pod(), containerFieldPath(container));
    chain = chain.then(() => recorder.event(ref, e.type, e.reason, e.message));
  }

  return {
    observe(runtime) {
      for (const c of runtime.containers) {
        for (const e of containerEvents(last.get(c.name), c, pod())) emit(c.name, e);
        last.set(c.name, c);
      }
    },
    readinessProbeFailed(container, message) {
      emit(container, { type: 'Warning', reason: 'Unhealthy', message: `Readiness probe failed: ${message}` });
    },
    healthProbeFailed(container, kind, message) {
      emit(container, { type: 'Warning', reason: 'Unhealthy', message: `${kind} probe failed: ${message}` });
    },
    hookFailed(container, kind) {
      emit(container, { type: 'Warning', reason: `Failed${kind}Hook`, message: `${kind}Hook failed` });
    },
  };
}
