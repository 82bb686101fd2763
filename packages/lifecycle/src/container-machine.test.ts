import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AnyActorRef, createActor, fromCallback, fromPromise, initialTransition, transition } from 'xstate';
import { containerMachine } from './container-machine.js';
import type { ContainerInput, HookInput, KillEvent, RunContainerInput } from './types.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** One run the machine asked for: what it was given, the signals it got, a way to talk back. */
interface FakeRun {
  input: RunContainerInput;
  signals: string[];
  sendBack: (e: Parameters<AnyActorRef['send']>[0]) => void;
}

function fakeMachine(runs: FakeRun[]) {
  return containerMachine.provide({
    actors: {
      runContainer: fromCallback<KillEvent, RunContainerInput>(({ input, sendBack, receive }) => {
        const run: FakeRun = { input, signals: [], sendBack };
        runs.push(run);
        receive((e) => run.signals.push(e.signal));
      }),
    },
  });
}

const input = (o: Partial<ContainerInput> = {}): ContainerInput => ({ name: 'web', restartPolicy: 'Always', ...o });
const exited = (exitCode: number | undefined, at = T0 + 5_000) =>
  ({ type: 'PROCESS_EXITED', ...(exitCode !== undefined ? { exitCode } : {}), finishedAt: iso(at) }) as const;
const started = (pid: number, at = T0) => ({ type: 'PROCESS_STARTED', pid, startedAt: iso(at) }) as const;

describe('containerMachine (pure transitions)', () => {
  it('waits for its process, then follows readiness events while running', () => {
    let [s] = initialTransition(containerMachine, input());
    expect(s.value).toEqual({ active: 'starting' });
    [s] = transition(containerMachine, s, started(42));
    expect(s.value).toEqual({ active: { running: 'notReady' } });
    expect(s.context.pid).toBe(42);
    [s] = transition(containerMachine, s, { type: 'READINESS_SUCCEEDED' });
    expect(s.value).toEqual({ active: { running: 'ready' } });
    [s] = transition(containerMachine, s, { type: 'READINESS_FAILED' });
    expect(s.value).toEqual({ active: { running: 'notReady' } });
  });

  it('goes on following readiness while it terminates (a terminating endpoint turns unready)', () => {
    let [s] = initialTransition(containerMachine, input({ graceMs: 300_000 }));
    [s] = transition(containerMachine, s, started(42));
    [s] = transition(containerMachine, s, { type: 'READINESS_SUCCEEDED' });
    [s] = transition(containerMachine, s, { type: 'STOP' });
    expect(s.context.readyAtStop).toBe(true);
    [s] = transition(containerMachine, s, { type: 'READINESS_FAILED' });
    expect(s.context.readyAtStop).toBe(false);
    [s] = transition(containerMachine, s, { type: 'READINESS_SUCCEEDED' });
    expect(s.context.readyAtStop).toBe(true);
  });

  it('keeps waiting with a CONFIG_ERROR as its reason until the process starts', () => {
    let [s] = initialTransition(containerMachine, input());
    const error = { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' };
    [s] = transition(containerMachine, s, { type: 'CONFIG_ERROR', ...error });
    expect(s.value).toEqual({ active: 'starting' });
    expect(s.context.configError).toEqual(error);
    [s] = transition(containerMachine, s, started(9));
    expect(s.context.configError).toBeUndefined();
  });

  it.each([
    ['Never', 0, 'terminated', 'Completed'],
    ['Never', 3, 'terminated', 'Error'],
    ['OnFailure', 0, 'terminated', 'Completed'],
    ['OnFailure', 3, 'active', 'Error'],
    ['Always', 0, 'active', 'Completed'],
  ] as const)('restartPolicy %s with exit %i goes to %s (%s)', (restartPolicy, code, state, reason) => {
    let [s] = initialTransition(containerMachine, input({ restartPolicy }));
    [s] = transition(containerMachine, s, started(7));
    [s] = transition(containerMachine, s, exited(code));
    expect(typeof s.value === 'string' ? s.value : Object.keys(s.value)[0]).toBe(state);
    expect(s.context.exit).toMatchObject({ exitCode: code, reason, containerID: 'kemu://7', startedAt: iso(T0) });
    expect(s.context.restartCount).toBe(state === 'active' ? 1 : 0);
  });

  it('records a lost exit status as ContainerStatusUnknown', () => {
    let [s] = initialTransition(containerMachine, input({ restartPolicy: 'Never' }));
    [s] = transition(containerMachine, s, started(7));
    [s] = transition(containerMachine, s, exited(undefined));
    expect(s.context.exit).toMatchObject({ exitCode: 137, reason: 'ContainerStatusUnknown' });
  });

  it('kills the container when liveness fails and restarts it even when it exits 0 (OnFailure)', () => {
    let [s] = initialTransition(containerMachine, input({ restartPolicy: 'OnFailure' }));
    [s] = transition(containerMachine, s, started(7));
    [s] = transition(containerMachine, s, { type: 'READINESS_SUCCEEDED' });
    [s] = transition(containerMachine, s, { type: 'LIVENESS_FAILED' });
    expect(s.value).toEqual({ active: { killing: 'signalling' } });
    expect(s.context.killedUnhealthy).toBe(true);
    [s] = transition(containerMachine, s, exited(0));
    expect(s.value).toEqual({ active: 'starting' });
    expect(s.context.restartCount).toBe(1);
    expect(s.context.killedUnhealthy).toBe(false);
  });

  it('counts a run with a startupProbe as started only after STARTUP_SUCCEEDED', () => {
    let [s] = initialTransition(containerMachine, input({ startupProbe: true }));
    [s] = transition(containerMachine, s, started(7));
    expect(s.context.startupPending).toBe(true);
    [s] = transition(containerMachine, s, { type: 'STARTUP_SUCCEEDED' });
    expect(s.context.startupPending).toBe(false);
    [s] = transition(containerMachine, s, exited(1));
    [s] = transition(containerMachine, s, started(8));
    expect(s.context.startupPending).toBe(true);
  });

  it('keeps a container killed for liveness down when restartPolicy is Never', () => {
    let [s] = initialTransition(containerMachine, input({ restartPolicy: 'Never' }));
    [s] = transition(containerMachine, s, started(7));
    [s] = transition(containerMachine, s, { type: 'LIVENESS_FAILED' });
    [s] = transition(containerMachine, s, exited(143));
    expect(s.value).toBe('terminated');
    expect(s.context.exit).toMatchObject({ exitCode: 143, reason: 'Error' });
  });

  it('records the reason the runtime gives, such as OOMKilled', () => {
    let [s] = initialTransition(containerMachine, input());
    [s] = transition(containerMachine, s, started(7));
    [s] = transition(containerMachine, s, {
      type: 'PROCESS_EXITED',
      exitCode: 137,
      signal: 9,
      reason: 'OOMKilled',
      finishedAt: iso(T0 + 1_000),
    });
    expect(s.context.exit).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(s.context.restartCount).toBe(1);
  });

  it('starts terminated when the container already finished for good', () => {
    const terminated = { exitCode: 0, reason: 'Completed', finishedAt: iso(T0) };
    const [s] = initialTransition(containerMachine, input({ restartPolicy: 'Never', terminated }));
    expect(s.value).toBe('terminated');
    expect(s.status).toBe('done');
    expect(s.context.exit).toEqual(terminated);
  });
});

describe('containerMachine (actor with fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('restarts at once after the first crash, then backs off 10 s, 20 s (CrashLoopBackOff)', async () => {
    const runs: FakeRun[] = [];
    const actor = createActor(fakeMachine(runs), { input: input() }).start();
    let t = T0;
    const crash = () => {
      const run = runs.at(-1)!;
      run.sendBack(started(100 + runs.length, t));
      t += 1_000;
      run.sendBack(exited(1, t));
    };
    crash();
    expect(runs).toHaveLength(2);
    expect(actor.getSnapshot().context.restartCount).toBe(1);
    expect(runs[1]?.input.restartCount).toBe(1);

    crash();
    expect(actor.getSnapshot().value).toBe('backOff');
    expect(actor.getSnapshot().context.delayMs).toBe(10_000);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(runs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(3);
    expect(actor.getSnapshot().context.restartCount).toBe(2);

    t += 10_000;
    crash();
    expect(actor.getSnapshot().context.delayMs).toBe(20_000);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(runs).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(4);
    expect(actor.getSnapshot().context).toMatchObject({
      restartCount: 3,
      previousExit: { exitCode: 1, reason: 'Error' },
    });
    actor.stop();
  });

  it('sends SIGTERM on STOP and SIGKILL when the grace period runs out', async () => {
    const runs: FakeRun[] = [];
    const actor = createActor(fakeMachine(runs), { input: input() }).start();
    runs[0]!.sendBack(started(9));
    actor.send({ type: 'READINESS_SUCCEEDED' });
    actor.send({ type: 'STOP', graceMs: 2_000 });
    expect(actor.getSnapshot().value).toEqual({ active: { stopping: 'signalling' } });
    expect(actor.getSnapshot().context.readyAtStop).toBe(true);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    runs[0]!.sendBack({ type: 'PROCESS_EXITED', exitCode: 137, signal: 9, finishedAt: iso(T0 + 2_000) });
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(actor.getSnapshot().output).toEqual({ name: 'web', stopped: true });
    expect(runs).toHaveLength(1);
  });

  it('on liveness failure sends SIGTERM, then SIGKILL after the grace period, then backs off', async () => {
    const runs: FakeRun[] = [];
    const actor = createActor(fakeMachine(runs), { input: input({ graceMs: 3_000 }) }).start();
    runs[0]!.sendBack(started(9));
    actor.send({ type: 'LIVENESS_FAILED' });
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    runs[0]!.sendBack(exited(137, T0 + 3_000));
    expect(runs).toHaveLength(2);
    runs[1]!.sendBack(started(10, T0 + 3_000));
    actor.send({ type: 'LIVENESS_FAILED' });
    runs[1]!.sendBack(exited(137, T0 + 4_000));
    expect(actor.getSnapshot().value).toBe('backOff');
    expect(actor.getSnapshot().context).toMatchObject({ delayMs: 10_000, restartCount: 1 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(3);
    expect(actor.getSnapshot().context.restartCount).toBe(2);
    actor.stop();
  });

  it('stops at once when it is waiting in CrashLoopBackOff', () => {
    const runs: FakeRun[] = [];
    const actor = createActor(fakeMachine(runs), { input: input({ restartCount: 4 }) }).start();
    runs[0]!.sendBack(exited(2));
    runs[1]!.sendBack(exited(2));
    expect(actor.getSnapshot().value).toBe('backOff');
    actor.send({ type: 'STOP', graceMs: 30_000 });
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(actor.getSnapshot().context.restartCount).toBe(5);
  });

  it('hands an adopted process to the first run only', () => {
    const runs: FakeRun[] = [];
    createActor(fakeMachine(runs), {
      input: input({ adopt: { pid: 55, startedAt: iso(T0) }, restartCount: 2 }),
    }).start();
    expect(runs[0]!.input).toEqual({ name: 'web', restartCount: 2, adopt: { pid: 55, startedAt: iso(T0) } });
    runs[0]!.sendBack(started(55));
    runs[0]!.sendBack(exited(undefined));
    expect(runs[1]!.input).toEqual({ name: 'web', restartCount: 3 });
  });
});

/** A hook call the machine made: its input and a way to finish it. */
interface FakeHook {
  kind: 'preStop' | 'postStart';
  input: HookInput;
  resolve: () => void;
  reject: (err: Error) => void;
}

function hookMachine(runs: FakeRun[], hooks: FakeHook[]) {
  const hook = (kind: FakeHook['kind']) =>
    fromPromise<void, HookInput>(
      ({ input }) =>
        new Promise<void>((resolve, reject) => {
          hooks.push({ kind, input, resolve, reject });
        }),
    );
  return fakeMachine(runs).provide({ actors: { preStop: hook('preStop'), postStart: hook('postStart') } });
}

describe('containerMachine lifecycle hooks and probe grace (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  function readyActor(o: Partial<ContainerInput>, runs: FakeRun[], hooks: FakeHook[]) {
    const actor = createActor(hookMachine(runs, hooks), { input: input(o) }).start();
    runs[0]!.sendBack(started(9));
    actor.send({ type: 'READINESS_SUCCEEDED' });
    return actor;
  }

  it('runs preStop before SIGTERM, stays ready-at-stop during the hook, and spends the hook time from the grace', async () => {
    const runs: FakeRun[] = [];
    const hooks: FakeHook[] = [];
    const actor = readyActor({ preStop: true }, runs, hooks);
    actor.send({ type: 'STOP', graceMs: 10_000 });
    expect(actor.getSnapshot().value).toEqual({ active: { stopping: 'preStop' } });
    expect(actor.getSnapshot().context.readyAtStop).toBe(true);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.input).toEqual({ name: 'web', pid: 9, timeoutMs: 10_000 });
    expect(runs[0]!.signals).toEqual([]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(runs[0]!.signals).toEqual([]);
    hooks[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().value).toEqual({ active: { stopping: 'signalling' } });
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    expect(actor.getSnapshot().context.remainingMs).toBe(7_000);
    await vi.advanceTimersByTimeAsync(6_999);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    runs[0]!.sendBack(exited(137, T0 + 10_000));
    expect(actor.getSnapshot().value).toBe('stopped');
  });

  it('keeps the 2 s floor after a hook that used up almost all of the grace', async () => {
    const runs: FakeRun[] = [];
    const hooks: FakeHook[] = [];
    const actor = readyActor({ preStop: true }, runs, hooks);
    actor.send({ type: 'STOP', graceMs: 5_000 });
    await vi.advanceTimersByTimeAsync(4_500);
    hooks[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    actor.stop();
  });

  it('abandons a hook that outlives the grace: SIGTERM at the grace, SIGKILL after the one-time 2 s extension', async () => {
    const runs: FakeRun[] = [];
    const hooks: FakeHook[] = [];
    const actor = readyActor({ preStop: true }, runs, hooks);
    actor.send({ type: 'STOP', graceMs: 3_000 });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(runs[0]!.signals).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    actor.stop();
  });

  it('goes on to SIGTERM at once when the preStop hook fails', async () => {
    const runs: FakeRun[] = [];
    const hooks: FakeHook[] = [];
    const actor = readyActor({ preStop: true }, runs, hooks);
    actor.send({ type: 'STOP', graceMs: 30_000 });
    hooks[0]!.reject(new Error('exit 1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    expect(actor.getSnapshot().context.remainingMs).toBe(30_000);
    actor.stop();
  });

  it('finishes stopping when the process exits during the hook', async () => {
    const runs: FakeRun[] = [];
    const hooks: FakeHook[] = [];
    const actor = readyActor({ preStop: true }, runs, hooks);
    actor.send({ type: 'STOP', graceMs: 30_000 });
    runs[0]!.sendBack(exited(0, T0 + 100));
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(runs[0]!.signals).toEqual([]);
  });

  it("runs preStop on a liveness kill too, and kills with the probe's own grace when it sets one", async () => {
    const runs: FakeRun[] = [];
    const hooks: FakeHook[] = [];
    const actor = readyActor({ preStop: true, graceMs: 30_000 }, runs, hooks);
    actor.send({ type: 'LIVENESS_FAILED', graceMs: 4_000 });
    expect(actor.getSnapshot().value).toEqual({ active: { killing: 'preStop' } });
    expect(hooks[0]!.input.timeoutMs).toBe(4_000);
    hooks[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    actor.stop();
  });

  it('does not run preStop twice when the pod is deleted during a liveness kill', async () => {
    const runs: FakeRun[] = [];
    const hooks: FakeHook[] = [];
    const actor = readyActor({ preStop: true }, runs, hooks);
    actor.send({ type: 'LIVENESS_FAILED' });
    expect(hooks).toHaveLength(1);
    actor.send({ type: 'STOP', graceMs: 5_000 });
    expect(hooks).toHaveLength(1);
    expect(actor.getSnapshot().value).toEqual({ active: { stopping: 'signalling' } });
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    runs[0]!.sendBack(exited(143, T0 + 100));
    expect(actor.getSnapshot().value).toBe('stopped');
  });

  it.each([
    [undefined, 30_000],
    [1_000, 2_000],
  ])('a liveness kill with probe grace %s waits %i ms before SIGKILL', async (probeGrace, killAfter) => {
    const runs: FakeRun[] = [];
    const actor = createActor(fakeMachine(runs), { input: input({ graceMs: 30_000 }) }).start();
    runs[0]!.sendBack(started(9));
    actor.send({ type: 'LIVENESS_FAILED', ...(probeGrace !== undefined ? { graceMs: probeGrace } : {}) });
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(killAfter - 1);
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    actor.stop();
  });

  it('holds a run in postStart (not running) until the hook returns', async () => {
    const runs: FakeRun[] = [];
    const hooks: FakeHook[] = [];
    const actor = createActor(hookMachine(runs, hooks), { input: input({ postStart: true }) }).start();
    runs[0]!.sendBack(started(9));
    expect(actor.getSnapshot().value).toEqual({ active: 'postStart' });
    expect(hooks[0]).toMatchObject({ kind: 'postStart', input: { name: 'web', pid: 9 } });
    hooks[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().value).toEqual({ active: { running: 'notReady' } });
    actor.stop();
  });

  it('kills a run whose postStart hook fails and restarts it, even with OnFailure and exit 0', async () => {
    const runs: FakeRun[] = [];
    const hooks: FakeHook[] = [];
    const actor = createActor(hookMachine(runs, hooks), {
      input: input({ postStart: true, restartPolicy: 'OnFailure', graceMs: 2_000 }),
    }).start();
    runs[0]!.sendBack(started(9));
    hooks[0]!.reject(new Error('exit 1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().value).toEqual({ active: { killing: 'signalling' } });
    expect(actor.getSnapshot().context).toMatchObject({ killedUnhealthy: true, postStartFailed: true });
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    runs[0]!.sendBack(exited(0, T0 + 500));
    expect(runs).toHaveLength(2);
    expect(actor.getSnapshot().context).toMatchObject({ restartCount: 1, postStartFailed: false });
    actor.stop();
  });

  it('does not run postStart again for an adopted process', () => {
    const runs: FakeRun[] = [];
    const hooks: FakeHook[] = [];
    const actor = createActor(hookMachine(runs, hooks), {
      input: input({ postStart: true, adopt: { pid: 55, startedAt: iso(T0) } }),
    }).start();
    runs[0]!.sendBack(started(55));
    expect(actor.getSnapshot().value).toEqual({ active: { running: 'notReady' } });
    expect(hooks).toHaveLength(0);
    actor.stop();
  });
});
