/**
 * One container's lifecycle, kubelet style. The machine only decides; the process is an
 * injected `runContainer` callback actor (spawn or adopt, report PROCESS_STARTED /
 * PROCESS_EXITED, obey KILL) and readiness an injected `readiness` actor that sends
 * READINESS_SUCCEEDED / READINESS_FAILED while a run lasts (probes plug in there).
 *
 *   active.starting ─STARTED→ [active.postStart] → active.running.{notReady⇄ready} ─EXITED→ exited
 *   exited → terminated (restartPolicy keeps it down) | active (first restart) | backOff
 *   backOff (CrashLoopBackOff) ─after backoff→ active (restartCount + 1)
 *   LIVENESS_FAILED while running, or a failed postStart hook → active.killing ─EXITED→ exited
 *   STOP anywhere → active.stopping → stopped
 *
 * killing and stopping end a run as the kubelet's killContainer does: the preStop hook
 * (the injected `preStop` actor) runs first and its time counts against the grace
 * period; then SIGTERM, and SIGKILL once what is left of the grace (at least 2 s) has
 * passed. A hook still running when the grace is spent is abandoned: SIGTERM goes out
 * with a one-time 2 s extension before SIGKILL. A failing hook is reported by the
 * actor (the kubelet's FailedPreStopHook event) and termination goes on. A liveness or startup probe
 * with its own terminationGracePeriodSeconds kills with that grace instead of the pod's.
 * postStart (the injected `postStart` actor) runs right after the process started; the
 * run is not `running` until it returns, and a failure kills the run, which then
 * restarts per restartPolicy (like a liveness failure).
 *
 * `terminated` and `stopped` are final; the output says which, for the pod machine.
 */
import { assign, fromCallback, fromPromise, sendTo, setup, type EventObject } from 'xstate';
import { type BackoffState, nextRestartDelay } from './backoff.js';
import {
  type AdoptedProcess,
  type BackoffPolicy,
  type ContainerInput,
  DEFAULT_BACKOFF,
  type HookInput,
  MIN_GRACE_MS,
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
  /** The latest run was killed because its liveness probe or postStart hook failed (it restarts unless restartPolicy is Never). */
  killedUnhealthy: boolean;
  /** The latest run was killed because its postStart hook failed. */
  postStartFailed: boolean;
  preStop: boolean;
  postStart: boolean;
  /** SIGTERM→SIGKILL window of the kill in progress (what the preStop hook left of the grace). */
  remainingMs: number;
  /** When the running preStop hook began (ms since epoch). */
  hookStartedAt: number;
  /** The stop in progress is forced: no preStop hook. */
  skipPreStop: boolean;
  /** The pid whose preStop hook already ran (a STOP during a liveness kill does not run it twice). */
  preStopRanFor: number | undefined;
  /** Why the pending run cannot be created (CreateContainerConfigError), until it starts. */
  configError?: { reason: string; message: string } | undefined;
}

/** Everything the container machine reacts to. */
export type ContainerEvent =
  | ProcessEvent
  | ReadinessEvent
  | LivenessEvent
  /** skipPreStop: a forced deletion (grace 0), where the kubelet runs no preStop hook. */
  | { type: 'STOP'; graceMs: number; skipPreStop?: boolean };

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
    ...(event.message ? { message: event.message } : {}),
  };
}

function hookInput(context: ContainerContext, timeoutMs: number): HookInput {
  return { name: context.name, pid: context.pid ?? 0, timeoutMs };
}

function probeInput(context: ContainerContext): ReadinessInput {
  return {
    name: context.name,
    pid: context.pid ?? 0,
    initiallyReady: context.adopt?.ready === true && context.adopt.pid === context.pid,
  };
}

const containerSetup = setup({
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
    preStop: fromPromise<void, HookInput>(async () => undefined),
    postStart: fromPromise<void, HookInput>(async () => undefined),
  },
  actions: {
    recordStart: assign(({ context, event }) => {
      if (event.type !== 'PROCESS_STARTED') return {};
      const adopted = context.adopt?.ready === true && context.adopt.pid === event.pid;
      return {
        pid: event.pid,
        startedAt: event.startedAt,
        startupPending: context.startupProbe && !adopted,
        configError: undefined,
      };
    }),
    recordConfigError: assign(({ event }) =>
      event.type === 'CONFIG_ERROR' ? { configError: { reason: event.reason, message: event.message } } : {},
    ),
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
      postStartFailed: false,
    })),
    recordUnhealthy: assign(({ context, event }) => ({
      killedUnhealthy: true,
      remainingMs:
        event.type === 'LIVENESS_FAILED' && event.graceMs !== undefined
          ? Math.max(MIN_GRACE_MS, event.graceMs)
          : context.graceMs,
    })),
    recordPostStartFailure: assign(({ context }) => ({
      killedUnhealthy: true,
      postStartFailed: true,
      remainingMs: context.graceMs,
    })),
    recordStop: assign(({ event }) =>
      event.type === 'STOP'
        ? {
            graceMs: event.graceMs,
            remainingMs: event.graceMs,
            readyAtStop: false,
            stopRequested: true,
            skipPreStop: event.skipPreStop === true,
          }
        : {},
    ),
    recordHookStart: assign(({ context }) => ({ hookStartedAt: Date.now(), preStopRanFor: context.pid })),
    spendGrace: assign(({ context }) => ({
      remainingMs: Math.max(MIN_GRACE_MS, context.remainingMs - (Date.now() - context.hookStartedAt)),
    })),
    extendGrace: assign({ remainingMs: MIN_GRACE_MS }),
    markReadyAtStop: assign({ readyAtStop: true }),
    markUnreadyAtStop: assign({ readyAtStop: false }),
    sendTerm: sendTo('process', { type: 'KILL', signal: 'SIGTERM' } satisfies KillEvent),
    sendKill: sendTo('process', { type: 'KILL', signal: 'SIGKILL' } satisfies KillEvent),
  },
  guards: {
    startTerminated: ({ context }) => context.startTerminated,
    hasPreStop: ({ context }) =>
      context.preStop && !context.skipPreStop && context.pid !== undefined && context.preStopRanFor !== context.pid,
    runsPostStart: ({ context, event }) =>
      context.postStart &&
      event.type === 'PROCESS_STARTED' &&
      !(context.adopt !== undefined && context.adopt.pid === event.pid),
    staysTerminated: ({ context }) =>
      context.restartPolicy === 'Never' ||
      (context.restartPolicy === 'OnFailure' && context.exit?.exitCode === 0 && !context.killedUnhealthy),
    restartsNow: ({ context }) => context.delayMs === 0,
    adoptedReady: ({ context, event }) =>
      event.type === 'PROCESS_STARTED' && context.adopt?.ready === true && context.adopt.pid === event.pid,
  },
  delays: {
    remaining: ({ context }) => context.remainingMs,
    backoff: ({ context }) => context.delayMs,
  },
});

/**
 * How killing and stopping end a run: the preStop hook (unless there is none, the stop is
 * forced, or it ran already for this process) with the grace as its timeout, then SIGTERM,
 * then SIGKILL after what is left of the grace (2 s floor; 2 s when the hook overran).
 */
const endingStates = {
  deciding: { always: [{ guard: 'hasPreStop', target: 'preStop' }, { target: 'signalling' }] },
  preStop: {
    entry: 'recordHookStart',
    invoke: {
      src: 'preStop',
      input: ({ context }: { context: ContainerContext }) => hookInput(context, context.remainingMs),
      onDone: { target: 'signalling', actions: 'spendGrace' },
      onError: { target: 'signalling', actions: 'spendGrace' },
    },
    after: { remaining: { target: 'signalling', actions: 'extendGrace' } },
  },
  signalling: { entry: 'sendTerm', after: { remaining: { actions: 'sendKill' } } },
} as const;

/** The container machine; provide `runContainer`, `readiness`, `liveness` and the hook actors with `machine.provide`. */
export const containerMachine = containerSetup.createMachine({
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
    postStartFailed: false,
    preStop: input.preStop === true,
    postStart: input.postStart === true,
    remainingMs: input.graceMs ?? 30_000,
    hookStartedAt: 0,
    skipPreStop: false,
    preStopRanFor: undefined,
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
              { guard: 'runsPostStart', target: 'postStart', actions: 'recordStart' },
              { target: 'running', actions: 'recordStart' },
            ],
            PROCESS_EXITED: { target: '#container.exited', actions: 'recordExit' },
            CONFIG_ERROR: { actions: 'recordConfigError' },
          },
        },
        postStart: {
          invoke: {
            src: 'postStart',
            input: ({ context }) => hookInput(context, context.graceMs),
            onDone: 'running',
            onError: { target: 'killing', actions: 'recordPostStartFailure' },
          },
          on: { PROCESS_EXITED: { target: '#container.exited', actions: 'recordExit' } },
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
          initial: 'deciding',
          on: {
            PROCESS_EXITED: { target: '#container.exited', actions: 'recordExit' },
          },
          states: endingStates,
        },
        stopping: {
          initial: 'deciding',
          // The kubelet keeps probing readiness while a container terminates (an endpoint
          // turns unready, e.g. agnhost's --delay-shutdown). The prober starts from "ready",
          // so a container without a readinessProbe reports nothing and keeps readyAtStop.
          invoke: {
            id: 'terminatingReadiness',
            src: 'readiness',
            input: ({ context }) => ({ ...probeInput(context), initiallyReady: true }),
          },
          on: {
            STOP: {},
            PROCESS_STARTED: { actions: 'recordStart' },
            PROCESS_EXITED: { target: '#container.stopped', actions: 'recordExit' },
            READINESS_FAILED: { actions: 'markUnreadyAtStop' },
            READINESS_SUCCEEDED: { actions: 'markReadyAtStop' },
          },
          states: endingStates,
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
