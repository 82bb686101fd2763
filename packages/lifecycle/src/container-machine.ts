/**
 * One container's lifecycle, kubelet style. The machine only decides; the process is an
 * injected `runContainer` callback actor (spawn or adopt, report PROCESS_STARTED /
 * PROCESS_EXITED, obey KILL) and readiness an injected `readiness` actor that sends
 * READINESS_SUCCEEDED / READINESS_FAILED while a run lasts (probes plug in there).
 *
 *   active.starting ─STARTED→ active.running.{notReady⇄ready} ─EXITED→ exited
 *   exited → terminated (restartPolicy keeps it down) | active (first restart) | backOff
 *   backOff (CrashLoopBackOff) ─after backoff→ active (restartCount + 1)
 *   LIVENESS_FAILED while running → active.killing (SIGTERM, SIGKILL after grace) ─EXITED→ exited
 *   STOP anywhere → active.stopping (SIGTERM, SIGKILL after grace) → stopped
 *
 * `terminated` and `stopped` are final; the output says which, for the pod machine.
 */
import { assign, fromCallback, sendTo, setup, type EventObject } from 'xstate';
import { type BackoffState, nextRestartDelay } from './backoff.js';
import {
  type AdoptedProcess,
  type BackoffPolicy,
  type ContainerInput,
  DEFAULT_BACKOFF,
  type KillEvent,
  type LivenessEvent,
  type ProcessEvent,
  type ReadinessEvent,
  type ReadinessInput,
  type RestartPolicy,
  type RunContainerInput,
  type Termination,
} from './types.js';

/** What the machine remembers about its container. */
export interface ContainerContext {
  name: string;
  restartPolicy: RestartPolicy;
  restartCount: number;
  backoffPolicy: BackoffPolicy;
  backoff: BackoffState | undefined;
  /** Wait before the pending restart. */
  delayMs: number;
  /** Process to adopt on the first run only. */
  adopt: AdoptedProcess | undefined;
  startTerminated: boolean;
  pid: number | undefined;
  startedAt: string | undefined;
  /** End of the latest run. */
  exit: Termination | undefined;
  /** End of the run before it (lastState once the latest run is the current state). */
  previousExit: Termination | undefined;
  graceMs: number;
  /** Whether the container was ready when STOP arrived (it stays serving while it drains). */
  readyAtStop: boolean;
  stopRequested: boolean;
  /** Whether runs wait for a startupProbe before they count as started. */
  startupProbe: boolean;
  /** The current run has not passed its startupProbe yet (status `started: false`). */
  startupPending: boolean;
  /** The latest run was killed because its liveness probe failed (it restarts unless restartPolicy is Never). */
  killedUnhealthy: boolean;
}

/** Everything the container machine reacts to. */
export type ContainerEvent = ProcessEvent | ReadinessEvent | LivenessEvent | { type: 'STOP'; graceMs: number };

/** Output of a finished container machine. */
export interface ContainerOutput {
  name: string;
  /** True when it ended because of STOP, false when it completed on its own. */
  stopped: boolean;
}

function terminationOf(
  event: Extract<ProcessEvent, { type: 'PROCESS_EXITED' }>,
  context: ContainerContext,
): Termination {
  const base = {
    startedAt: context.startedAt,
    finishedAt: event.finishedAt,
    ...(context.pid !== undefined ? { containerID: `kemu://${context.pid}` } : {}),
  };
  if (event.exitCode === undefined) {
    return {
      ...base,
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      message: 'The container exited while it was not watched; its exit status is unknown',
    };
  }
  return {
    ...base,
    exitCode: event.exitCode,
    ...(event.signal !== undefined ? { signal: event.signal } : {}),
    reason: event.reason ?? (event.exitCode === 0 ? 'Completed' : 'Error'),
  };
}

function probeInput(context: ContainerContext): ReadinessInput {
  return {
    name: context.name,
    pid: context.pid ?? 0,
    initiallyReady: context.adopt?.ready === true && context.adopt.pid === context.pid,
  };
}

/** The container machine; provide `runContainer` and `readiness` with `machine.provide`. */
export const containerMachine = setup({
  types: {} as {
    context: ContainerContext;
    events: ContainerEvent;
    input: ContainerInput;
    output: ContainerOutput;
  },
  actors: {
    runContainer: fromCallback<KillEvent, RunContainerInput>(() => undefined),
    readiness: fromCallback<EventObject, ReadinessInput>(() => undefined),
    liveness: fromCallback<EventObject, ReadinessInput>(() => undefined),
  },
  actions: {
    recordStart: assign(({ context, event }) => {
      if (event.type !== 'PROCESS_STARTED') return {};
      const adopted = context.adopt?.ready === true && context.adopt.pid === event.pid;
      return { pid: event.pid, startedAt: event.startedAt, startupPending: context.startupProbe && !adopted };
    }),
    recordStartup: assign({ startupPending: false }),
    recordExit: assign(({ context, event }) => {
      if (event.type !== 'PROCESS_EXITED') return {};
      const exit = terminationOf(event, context);
      const { delayMs, next } = nextRestartDelay(context.backoff, Date.parse(event.finishedAt), context.backoffPolicy);
      return { exit, previousExit: context.exit, delayMs, backoff: next, adopt: undefined, pid: undefined };
    }),
    countRestart: assign(({ context }) => ({
      restartCount: context.restartCount + 1,
      startedAt: undefined,
      killedUnhealthy: false,
    })),
    recordUnhealthy: assign({ killedUnhealthy: true }),
    recordStop: assign(({ event }) =>
      event.type === 'STOP' ? { graceMs: event.graceMs, readyAtStop: false, stopRequested: true } : {},
    ),
    markReadyAtStop: assign({ readyAtStop: true }),
    sendTerm: sendTo('process', { type: 'KILL', signal: 'SIGTERM' } satisfies KillEvent),
    sendKill: sendTo('process', { type: 'KILL', signal: 'SIGKILL' } satisfies KillEvent),
  },
  guards: {
    startTerminated: ({ context }) => context.startTerminated,
    staysTerminated: ({ context }) =>
      context.restartPolicy === 'Never' ||
      (context.restartPolicy === 'OnFailure' && context.exit?.exitCode === 0 && !context.killedUnhealthy),
    restartsNow: ({ context }) => context.delayMs === 0,
    adoptedReady: ({ context, event }) =>
      event.type === 'PROCESS_STARTED' && context.adopt?.ready === true && context.adopt.pid === event.pid,
  },
  delays: {
    grace: ({ context }) => context.graceMs,
    backoff: ({ context }) => context.delayMs,
  },
}).createMachine({
  id: 'container',
  context: ({ input }) => ({
    name: input.name,
    restartPolicy: input.restartPolicy,
    restartCount: input.restartCount ?? 0,
    backoffPolicy: input.backoff ?? DEFAULT_BACKOFF,
    backoff: undefined,
    delayMs: 0,
    adopt: input.adopt,
    startTerminated: input.terminated !== undefined,
    pid: undefined,
    startedAt: undefined,
    exit: input.terminated ?? input.lastTermination,
    previousExit: input.terminated ? input.lastTermination : undefined,
    graceMs: input.graceMs ?? 30_000,
    readyAtStop: false,
    stopRequested: false,
    killedUnhealthy: false,
    startupProbe: input.startupProbe === true,
    startupPending: false,
  }),
  initial: 'init',
  states: {
    init: {
      always: [{ guard: 'startTerminated', target: 'terminated' }, { target: 'active' }],
    },
    active: {
      invoke: {
        id: 'process',
        src: 'runContainer',
        input: ({ context }) => ({
          name: context.name,
          restartCount: context.restartCount,
          ...(context.adopt ? { adopt: context.adopt } : {}),
        }),
      },
      initial: 'starting',
      on: { STOP: { target: '.stopping', actions: 'recordStop' } },
      states: {
        starting: {
          on: {
            PROCESS_STARTED: [
              { guard: 'adoptedReady', target: 'running.ready', actions: 'recordStart' },
              { target: 'running', actions: 'recordStart' },
            ],
            PROCESS_EXITED: { target: '#container.exited', actions: 'recordExit' },
          },
        },
        running: {
          invoke: [
            { id: 'readiness', src: 'readiness', input: ({ context }) => probeInput(context) },
            { id: 'liveness', src: 'liveness', input: ({ context }) => probeInput(context) },
          ],
          initial: 'notReady',
          on: {
            PROCESS_EXITED: { target: '#container.exited', actions: 'recordExit' },
            LIVENESS_FAILED: { target: '#container.active.killing', actions: 'recordUnhealthy' },
            STARTUP_SUCCEEDED: { actions: 'recordStartup' },
          },
          states: {
            notReady: { on: { READINESS_SUCCEEDED: 'ready' } },
            ready: {
              on: {
                READINESS_FAILED: 'notReady',
                STOP: { target: '#container.active.stopping', actions: ['recordStop', 'markReadyAtStop'] },
              },
            },
          },
        },
        killing: {
          entry: 'sendTerm',
          after: { grace: { actions: 'sendKill' } },
          on: {
            PROCESS_EXITED: { target: '#container.exited', actions: 'recordExit' },
          },
        },
        stopping: {
          entry: 'sendTerm',
          after: { grace: { actions: 'sendKill' } },
          on: {
            STOP: {},
            PROCESS_STARTED: { actions: 'recordStart' },
            PROCESS_EXITED: { target: '#container.stopped', actions: 'recordExit' },
          },
        },
      },
    },
    exited: {
      always: [
        { guard: 'staysTerminated', target: 'terminated' },
        { guard: 'restartsNow', target: 'active', actions: 'countRestart' },
        { target: 'backOff' },
      ],
    },
    backOff: {
      after: { backoff: { target: 'active', actions: 'countRestart' } },
      on: { STOP: { target: 'stopped', actions: 'recordStop' } },
    },
    terminated: { type: 'final' },
    stopped: { type: 'final' },
  },
  output: ({ context }) => ({ name: context.name, stopped: context.stopRequested }),
});
