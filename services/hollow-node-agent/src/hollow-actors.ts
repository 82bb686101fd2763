/**
 * The I/O actors of the shared pod and container machines (@kemu/lifecycle) for a pod
 * without processes: each one waits its stage's delay on an injected clock and reports
 * what a real sandbox, process or probe would. The machines decide everything else
 * (restarts, CrashLoopBackOff, grace periods), exactly as on a real node.
 * A hollow run reports pid 0: containerID `kemu://0`, which nothing may signal.
 */
import {
  containerMachine,
  type HookInput,
  type KillEvent,
  podMachine,
  type ReadinessInput,
  type RunContainerInput,
  type SandboxInput,
} from '@kemu/lifecycle';
import { fromCallback, fromPromise, type EventObject } from 'xstate';
import { type HollowStages, stageDelay, stageFails } from './hollow-stages.js';

/** What the timed actors of one kind of pod need. */
export interface HollowActorDeps {
  stages: HollowStages;
  random: () => number;
  /** Milliseconds since the epoch (Date.now). */
  now: () => number;
  /** Containers exit 0 after the `complete` stage (restartPolicy Never or OnFailure). */
  completes: boolean;
  /** The pod's sandbox was reported before this process started: the first sandbox stage takes no time. */
  sandboxExists?: boolean;
}

/** The pod machine with every actor timed by the stages. */
export function hollowPodMachine(d: HollowActorDeps): typeof podMachine {
  const { stages, random } = d;
  const iso = () => new Date(d.now()).toISOString();
  const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  const runContainer = fromCallback<KillEvent, RunContainerInput>(({ sendBack, receive, input }) => {
    let timer: NodeJS.Timeout | undefined;
    const after = (ms: number, f: () => void) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(f, ms);
    };
    // An adopted run (this process restarted) is running already: it reports so at once.
    const adopted = input.adopt;
    after(adopted ? 0 : stageDelay(stages.start, random), () => {
      if (adopted) {
        sendBack({ type: 'PROCESS_STARTED', pid: adopted.pid, startedAt: adopted.startedAt });
        return;
      }
      if (stageFails(stages.start, random)) {
        sendBack({ type: 'PROCESS_EXITED', exitCode: 1, finishedAt: iso(), message: 'hollow start stage failed' });
        return;
      }
      sendBack({ type: 'PROCESS_STARTED', pid: 0, startedAt: iso() });
      if (d.completes) {
        after(stageDelay(stages.complete, random), () =>
          sendBack({ type: 'PROCESS_EXITED', exitCode: 0, finishedAt: iso() }),
        );
      }
    });
    receive((e) => {
      if (e.signal === 'SIGKILL')
        after(0, () => sendBack({ type: 'PROCESS_EXITED', exitCode: 137, signal: 9, finishedAt: iso() }));
      else
        after(stageDelay(stages.stop, random), () =>
          sendBack({ type: 'PROCESS_EXITED', exitCode: 0, finishedAt: iso() }),
        );
    });
    return () => {
      if (timer) clearTimeout(timer);
    };
  });

  const readiness = fromCallback<EventObject, ReadinessInput>(({ sendBack }) => {
    let timer: NodeJS.Timeout | undefined;
    const probe = () => {
      timer = setTimeout(
        () => {
          if (stageFails(stages.ready, random)) probe();
          else sendBack({ type: 'READINESS_SUCCEEDED' });
        },
        stageDelay(stages.ready, random),
      );
    };
    probe();
    return () => clearTimeout(timer);
  });

  return podMachine.provide({
    actors: {
      createSandbox: fromPromise<void, SandboxInput>(async () => {
        // Resumed, a sandbox never fails, so this is its only creation.
        if (d.sandboxExists) return;
        await wait(stageDelay(stages.sandbox, random));
        if (stageFails(stages.sandbox, random)) throw new Error('hollow sandbox stage failed');
      }),
      deleteSandbox: fromPromise<void, SandboxInput>(async () => undefined),
      container: containerMachine.provide({
        actors: {
          runContainer,
          readiness,
          liveness: fromCallback<EventObject, ReadinessInput>(() => undefined),
          preStop: fromPromise<void, HookInput>(async () => undefined),
          postStart: fromPromise<void, HookInput>(async () => undefined),
        },
      }),
    },
  });
}

/** The machines of one process's hollow pods, by kind of pod. */
export type HollowMachines = (kind: { completes: boolean; sandboxExists: boolean }) => typeof podMachine;

/**
 * Builds each kind of hollow pod machine once: a provided machine costs tens of KB, so
 * the pods of a process share the four kinds (completing or not, resumed or not) and
 * differ only in their actors' state.
 */
export function createHollowMachines(d: Omit<HollowActorDeps, 'completes' | 'sandboxExists'>): HollowMachines {
  const built = new Map<string, typeof podMachine>();
  return ({ completes, sandboxExists }) => {
    const key = `${completes}:${sandboxExists}`;
    let m = built.get(key);
    if (!m) built.set(key, (m = hollowPodMachine({ ...d, completes, sandboxExists })));
    return m;
  };
}
