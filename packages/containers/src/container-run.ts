/**
 * One run of a container as a supervisor sees it (the node-agent's view of a process):
 * started or adopted, it has a pid, a start time and an `exited` promise with the exit
 * the monitor recorded, even for a container another agent started. When the run has
 * ended the container is deleted (overlay, runtime state; `deleted` says when), as a
 * kubelet removes a dead container once it starts the next one; its log file stays. `unwatch` stops watching
 * only: the container keeps running for the next agent to adopt.
 */
import type { ContainerCreate, ContainerRuntime } from './container-runtime.js';
import type { ContainerExit } from './container-state.js';
import { ContainerStateError } from './errors.js';

/** A watched run of a container. */
export interface ContainerRun {
  readonly id: string;
  /** The container's init (PID 1 inside), as the host sees it. */
  readonly pid: number;
  readonly startedAt: string;
  /**
   * Resolves as soon as the container has exited (the monitor's record), before it is
   * deleted, so its pod's status does not wait for `runc delete`; never while unwatched.
   */
  readonly exited: Promise<ContainerExit>;
  /** Resolves once the exited container has also been deleted (runtime state, rootfs, monitor). */
  readonly deleted: Promise<void>;
  /** Signals PID 1 of the container (which, like any PID 1, ignores signals it has no handler for, except SIGKILL). */
  kill(signal: NodeJS.Signals): void;
  unwatch(): void;
}

function watch(runtime: ContainerRuntime, id: string, pid: number, startedAt: string): ContainerRun {
  const abort = new AbortController();
  const exited = new Promise<ContainerExit>((resolve) => {
    void runtime.wait(id, abort.signal).then((exit) => {
      if (exit) resolve(exit);
    });
  });
  const deleted = exited.then(() => runtime.delete(id).catch(() => undefined));
  return {
    id,
    pid,
    startedAt,
    exited,
    deleted,
    kill: (signal) => {
      void runtime.kill(id, signal).catch(() => undefined);
    },
    unwatch: () => abort.abort(),
  };
}

/** Creates and starts a container; on a failed start it is deleted again and the error thrown. */
export async function runContainer(runtime: ContainerRuntime, spec: ContainerCreate): Promise<ContainerRun> {
  await runtime.create(spec);
  try {
    const state = await runtime.start(spec.id);
    return watch(runtime, spec.id, state.pid ?? 0, state.startedAt ?? new Date().toISOString());
  } catch (err) {
    await runtime.delete(spec.id).catch(() => undefined);
    throw err;
  }
}

/** Watches a container another supervisor started; undefined when the runtime has no such container. */
export async function adoptContainer(runtime: ContainerRuntime, id: string): Promise<ContainerRun | undefined> {
  const state = await runtime.state(id);
  if (!state) return undefined;
  if (state.status === 'created') throw new ContainerStateError(`container ${id} was never started`);
  return watch(runtime, id, state.pid ?? 0, state.startedAt ?? state.createdAt);
}
