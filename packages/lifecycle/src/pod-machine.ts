/**
 * One pod's lifecycle on its node. The pod machine owns the sandbox (network) and the
 * termination sequence; each container is a spawned `container` machine (id
 * `container:<name>`), so restarts, backoff and readiness stay per container as in the
 * kubelet.
 *
 *   pending → containerCreating (createSandbox) → running (containers spawned)
 *   running → completed (every container finished for good: sandbox released)
 *   DELETE_REQUESTED → terminating.stoppingContainers (STOP with the grace period, 2 s floor;
 *     grace 0, a forced deletion, skips the preStop hooks)
 *     → terminating.deletingSandbox → terminated (final: the node-agent removes the pod)
 *
 * Sandbox I/O is injected: `createSandbox` / `deleteSandbox` promise actors.
 */
import { assign, enqueueActions, fromPromise, sendTo, setup } from 'xstate';
import { type ContainerOutput, containerMachine } from './container-machine.js';
import { type ContainerInput, MIN_GRACE_MS } from './types.js';

/** Default terminationGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;

/** How a pod's machine starts. */
export interface PodInput {
  containers: ContainerInput[];
  podIP: string;
  hostIP: string;
  /** When the node-agent first accepted the pod (status.startTime). */
  startTime: string;
  /** The sandbox was made by a previous node-agent (it is checked again, not reported as new). */
  sandboxExists?: boolean;
}

/** What the sandbox actors get. */
export interface SandboxInput {
  podIP: string;
}

/** What the pod machine remembers. */
export interface PodContext {
  containers: ContainerInput[];
  podIP: string;
  hostIP: string;
  startTime: string;
  /** The sandbox exists (PodReadyToStartContainers). */
  sandboxReady: boolean;
  /** The sandbox was created at least once, so the pod has its IP. */
  sandboxCreated: boolean;
  sandboxError: string | undefined;
  spawned: boolean;
  /** Containers whose machine finished, with whether they were stopped. */
  finished: Record<string, boolean>;
  graceMs: number;
  /** The deletion is forced (grace 0): containers stop without their preStop hooks. */
  forced: boolean;
}

/** Everything the pod machine reacts to. */
export type PodEvent =
  | { type: 'DELETE_REQUESTED'; graceSeconds?: number | undefined }
  | { type: 'READINESS_SUCCEEDED' | 'READINESS_FAILED'; container: string }
  | { type: `xstate.done.actor.${string}`; output: ContainerOutput };

/** Id of a container's child actor. */
export function containerActorId(name: string): string {
  return `container:${name}`;
}

const CONTAINER_DONE = 'xstate.done.actor.container:';

/** The pod machine; provide `createSandbox`, `deleteSandbox` and `container` with `machine.provide`. */
export const podMachine = setup({
  types: {} as { context: PodContext; events: PodEvent; input: PodInput },
  actors: {
    createSandbox: fromPromise<void, SandboxInput>(async () => undefined),
    deleteSandbox: fromPromise<void, SandboxInput>(async () => undefined),
    container: containerMachine,
  },
  actions: {
    markSandboxReady: assign({ sandboxReady: true, sandboxCreated: true, sandboxError: undefined }),
    markSandboxGone: assign({ sandboxReady: false }),
    recordSandboxError: assign(({ event }) => ({
      sandboxError: String((event as { error?: unknown }).error ?? 'sandbox creation failed'),
    })),
    spawnContainers: enqueueActions(({ context, enqueue }) => {
      for (const c of context.containers) enqueue.spawnChild('container', { id: containerActorId(c.name), input: c });
      enqueue.assign({ spawned: true });
    }),
    recordContainerDone: assign(({ context, event }) => {
      if (!event.type.startsWith(CONTAINER_DONE) || !('output' in event)) return {};
      return { finished: { ...context.finished, [event.output.name]: event.output.stopped } };
    }),
    recordDelete: assign(({ event }) => {
      if (event.type !== 'DELETE_REQUESTED') return {};
      const seconds = event.graceSeconds ?? DEFAULT_GRACE_SECONDS;
      return { graceMs: Math.max(MIN_GRACE_MS, seconds * 1000), forced: seconds <= 0 };
    }),
    stopContainers: enqueueActions(({ context, enqueue }) => {
      if (!context.spawned) return;
      for (const c of context.containers) {
        if (c.name in context.finished) continue;
        enqueue.sendTo(containerActorId(c.name), {
          type: 'STOP',
          graceMs: context.graceMs,
          ...(context.forced ? { skipPreStop: true } : {}),
        });
      }
    }),
    forwardReadiness: sendTo(
      ({ event }) => containerActorId((event as { container: string }).container),
      ({ event }) => ({ type: event.type as 'READINESS_SUCCEEDED' | 'READINESS_FAILED' }),
    ),
  },
  guards: {
    isContainerDone: ({ event }) => event.type.startsWith(CONTAINER_DONE),
    allContainersFinished: ({ context }) =>
      !context.spawned || context.containers.every((c) => c.name in context.finished),
  },
  delays: { sandboxRetry: 2_000 },
}).createMachine({
  id: 'pod',
  context: ({ input }) => ({
    containers: input.containers,
    podIP: input.podIP,
    hostIP: input.hostIP,
    startTime: input.startTime,
    sandboxReady: input.sandboxExists === true,
    sandboxCreated: input.sandboxExists === true,
    sandboxError: undefined,
    spawned: false,
    finished: {},
    graceMs: DEFAULT_GRACE_SECONDS * 1000,
    forced: false,
  }),
  initial: 'pending',
  on: {
    'xstate.done.actor.*': { guard: 'isContainerDone', actions: 'recordContainerDone' },
  },
  states: {
    pending: { always: 'containerCreating' },
    containerCreating: {
      invoke: {
        id: 'sandbox',
        src: 'createSandbox',
        input: ({ context }) => ({ podIP: context.podIP }),
        onDone: { target: 'running', actions: 'markSandboxReady' },
        onError: { target: 'sandboxBackOff', actions: 'recordSandboxError' },
      },
      on: { DELETE_REQUESTED: { target: 'terminating', actions: 'recordDelete' } },
    },
    sandboxBackOff: {
      after: { sandboxRetry: 'containerCreating' },
      on: { DELETE_REQUESTED: { target: 'terminating', actions: 'recordDelete' } },
    },
    running: {
      entry: 'spawnContainers',
      always: { guard: 'allContainersFinished', target: 'completed' },
      on: {
        DELETE_REQUESTED: { target: 'terminating', actions: 'recordDelete' },
        READINESS_SUCCEEDED: { actions: 'forwardReadiness' },
        READINESS_FAILED: { actions: 'forwardReadiness' },
      },
    },
    completed: {
      initial: 'releasing',
      on: { DELETE_REQUESTED: { target: 'terminating', actions: 'recordDelete' } },
      states: {
        releasing: {
          invoke: {
            src: 'deleteSandbox',
            input: ({ context }) => ({ podIP: context.podIP }),
            onDone: { target: 'released', actions: 'markSandboxGone' },
            onError: 'releaseBackOff',
          },
        },
        releaseBackOff: { after: { sandboxRetry: 'releasing' } },
        released: {},
      },
    },
    terminating: {
      entry: 'stopContainers',
      initial: 'stoppingContainers',
      states: {
        stoppingContainers: { always: { guard: 'allContainersFinished', target: 'deletingSandbox' } },
        deletingSandbox: {
          invoke: {
            src: 'deleteSandbox',
            input: ({ context }) => ({ podIP: context.podIP }),
            onDone: { target: '#pod.terminated', actions: 'markSandboxGone' },
            onError: 'deleteBackOff',
          },
        },
        deleteBackOff: { after: { sandboxRetry: 'deletingSandbox' } },
      },
    },
    terminated: { type: 'final' },
  },
});
