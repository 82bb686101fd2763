/**
 * Reads a pod machine's snapshot (and its container children's) into plain data, the
 * input of the pure status mapping. Keeping this step separate lets the mapping be
 * tested with tables instead of live actors.
 */
import type { AnyActorRef, SnapshotFrom } from 'xstate';
import type { ContainerContext } from './container-machine.js';
import { containerActorId, type podMachine } from './pod-machine.js';
import type { AdoptedProcess, Termination } from './types.js';

/** Where one container is in its lifecycle. */
export type ContainerPhase = 'creating' | 'running' | 'stopping' | 'backOff' | 'terminated' | 'stopped';

/** Plain data about one container. */
export interface ContainerRuntime {
  name: string;
  phase: ContainerPhase;
  ready: boolean;
  restartCount: number;
  pid?: number | undefined;
  startedAt?: string | undefined;
  /** End of the latest run. */
  exit?: Termination | undefined;
  /** End of the run before it. */
  previousExit?: Termination | undefined;
  /** Current CrashLoopBackOff wait. */
  backoffMs?: number | undefined;
  /** The run has not passed its startupProbe yet. */
  startupPending?: boolean | undefined;
  /** The run is being killed because its liveness or startup probe failed. */
  killedUnhealthy?: boolean | undefined;
  /** The run is being killed because its postStart hook failed. */
  postStartFailed?: boolean | undefined;
  /** The run cannot be created yet: CreateContainerConfigError with this message. */
  configError?: { reason: string; message: string } | undefined;
}

/** Where the pod is: the pod machine's top-level state. */
export type PodStage =
  | 'pending'
  | 'containerCreating'
  | 'sandboxBackOff'
  | 'running'
  | 'completed'
  | 'terminating'
  | 'terminated';

/** Plain data about one pod on its node. */
export interface PodRuntime {
  stage: PodStage;
  sandboxReady: boolean;
  sandboxCreated: boolean;
  sandboxError?: string | undefined;
  podIP: string;
  hostIP: string;
  startTime: string;
  /** In spec order. */
  containers: ContainerRuntime[];
}

/** A pod machine's snapshot. */
export type PodSnapshot = SnapshotFrom<typeof podMachine>;

interface ContainerSnapshotLike {
  context: ContainerContext;
  matches(state: unknown): boolean;
  value: unknown;
}

function containerPhase(s: ContainerSnapshotLike): ContainerPhase {
  if (s.matches({ active: 'running' })) return 'running';
  if (s.matches({ active: 'stopping' }) || s.matches({ active: 'killing' })) return 'stopping';
  if (s.matches('backOff') || s.matches('exited')) return 'backOff';
  if (s.matches('terminated')) return 'terminated';
  if (s.matches('stopped')) return 'stopped';
  return 'creating';
}

function adoptedRuntime(
  name: string,
  restartCount: number,
  adopt: AdoptedProcess,
  exit: Termination | undefined,
): ContainerRuntime {
  return {
    name,
    phase: 'running',
    ready: adopt.ready === true,
    restartCount,
    pid: adopt.pid,
    startedAt: adopt.startedAt,
    exit,
  };
}

function adoptedEndedRuntime(name: string, restartCount: number, adopt: AdoptedProcess): ContainerRuntime {
  return {
    name,
    phase: 'terminated',
    ready: false,
    restartCount,
    exit: {
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      message: 'The container exited while it was not watched; its exit status is unknown',
      startedAt: adopt.startedAt,
      finishedAt: new Date().toISOString(),
      containerID: `kemu://${adopt.pid}`,
    },
  };
}

/** Extracts the plain runtime data from a pod machine snapshot. */
export function podRuntimeFromSnapshot(snapshot: PodSnapshot): PodRuntime {
  const ctx = snapshot.context;
  const value = snapshot.value;
  const stage = (typeof value === 'string' ? value : Object.keys(value)[0]) as PodStage;
  const children = snapshot.children as Record<string, AnyActorRef | undefined>;
  const containers = ctx.containers.map((input): ContainerRuntime => {
    const ref = children[containerActorId(input.name)];
    if (!ref) {
      // A finished pod machine has stopped its container actors: an adopted process it ran
      // has ended, and as it was not our child its exit status is unknown.
      if (input.adopt && snapshot.status === 'done')
        return adoptedEndedRuntime(input.name, input.restartCount ?? 0, input.adopt);
      if (input.adopt) return adoptedRuntime(input.name, input.restartCount ?? 0, input.adopt, input.lastTermination);
      return {
        name: input.name,
        phase: input.terminated ? 'terminated' : 'creating',
        ready: false,
        restartCount: input.restartCount ?? 0,
        exit: input.terminated ?? input.lastTermination,
        previousExit: input.terminated ? input.lastTermination : undefined,
      };
    }
    const s = ref.getSnapshot() as ContainerSnapshotLike;
    const c = s.context;
    const phase = containerPhase(s);
    // Until its watcher confirms it, an adopted process shows as it was published.
    if (phase === 'creating' && c.adopt) return adoptedRuntime(c.name, c.restartCount, c.adopt, c.exit);
    return {
      name: c.name,
      phase,
      ready: phase === 'running' ? s.matches({ active: { running: 'ready' } }) : phase === 'stopping' && c.readyAtStop,
      restartCount: c.restartCount,
      pid: c.pid,
      startedAt: c.startedAt,
      exit: c.exit,
      previousExit: c.previousExit,
      backoffMs: phase === 'backOff' ? c.delayMs : undefined,
      ...(c.startupPending ? { startupPending: true } : {}),
      ...(c.configError && phase === 'creating' ? { configError: c.configError } : {}),
      ...(c.killedUnhealthy && s.matches({ active: 'killing' }) ? { killedUnhealthy: true } : {}),
      ...(c.postStartFailed && s.matches({ active: 'killing' }) ? { postStartFailed: true } : {}),
    };
  });
  return {
    stage,
    sandboxReady: ctx.sandboxReady,
    sandboxCreated: ctx.sandboxCreated,
    sandboxError: ctx.sandboxError,
    podIP: ctx.podIP,
    hostIP: ctx.hostIP,
    startTime: ctx.startTime,
    containers,
  };
}
