/**
 * Hollow pods at rest. A live pod machine costs its actors (the pod's, each container's,
 * their process and probe actors, an actor system each): at 10 000 pods they were most of
 * the agent's heap. A hollow pod that is Running with every container ready and
 * restartPolicy Always has no timer left to fire: nothing happens to it until it is
 * deleted. Such a pod drops its machine and keeps the plain runtime the machine last
 * showed (pod-runtime.ts), from which its status is computed exactly as from the machine;
 * a deletion resumes the machine from it, adopting the containers as an agent restart
 * does (hollow-resume.ts), so it terminates through the same stages as a pod never at rest.
 */
import {
  containerActorId,
  type ContainerInput,
  type ContainerRuntime,
  type PodRuntime,
  type PodSnapshot,
  type RestartPolicy,
} from '@kemu/lifecycle';
import type { AnyActorRef } from 'xstate';

interface ContainerSnapshotLike {
  matches(state: unknown): boolean;
  context: { adopt?: unknown };
}

function containerSnapshot(s: PodSnapshot, name: string): ContainerSnapshotLike | undefined {
  const ref = (s.children as Record<string, AnyActorRef | undefined>)[containerActorId(name)];
  return ref?.getSnapshot() as ContainerSnapshotLike | undefined;
}

/** Whether a pod machine is at rest: Running, every container running and ready, restartPolicy Always. */
export function podAtRest(s: PodSnapshot, restartPolicy: RestartPolicy): boolean {
  if (restartPolicy !== 'Always' || s.status !== 'active' || s.value !== 'running') return false;
  const containers = s.context.containers;
  if (containers.length === 0) return false;
  return containers.every((c) => containerSnapshot(s, c.name)?.matches({ active: { running: 'ready' } }) === true);
}

/**
 * Whether a resumed pod machine has still to confirm the containers it adopts: a deletion
 * waits for that, so those containers stop as running (and ready) ones do instead of
 * being dropped as never started.
 */
export function adoptionPending(s: PodSnapshot): boolean {
  if (s.status !== 'active') return false;
  const adopted = s.context.containers.filter((c) => c.adopt !== undefined);
  if (adopted.length === 0) return false;
  if (s.value === 'pending' || s.value === 'containerCreating') return true;
  if (s.value !== 'running') return false;
  return adopted.some((c) => {
    const cs = containerSnapshot(s, c.name);
    return cs?.matches({ active: 'starting' }) === true && cs.context.adopt !== undefined;
  });
}

/** The part of a resting pod's runtime its status and its resumption need (no machine references). */
export function restingRuntime(r: PodRuntime): PodRuntime {
  return {
    stage: r.stage,
    sandboxReady: r.sandboxReady,
    sandboxCreated: r.sandboxCreated,
    podIP: r.podIP,
    hostIP: r.hostIP,
    startTime: r.startTime,
    containers: r.containers.map(
      (c): ContainerRuntime => ({
        name: c.name,
        phase: c.phase,
        ready: c.ready,
        restartCount: c.restartCount,
        pid: c.pid,
        startedAt: c.startedAt,
        exit: c.exit,
      }),
    ),
  };
}

/** How a pod at rest resumes its machine: its sandbox exists and its running containers are adopted as they were. */
export function resumeRestingPod(
  r: PodRuntime,
  restartPolicy: RestartPolicy,
): { containers: ContainerInput[]; sandboxExists: boolean; startTime: string } {
  return {
    sandboxExists: true,
    startTime: r.startTime,
    containers: r.containers.map((c) => ({
      name: c.name,
      restartPolicy,
      restartCount: c.restartCount,
      adopt: { pid: c.pid ?? 0, startedAt: c.startedAt ?? '', ready: c.ready },
      ...(c.exit ? { lastTermination: c.exit } : {}),
    })),
  };
}
