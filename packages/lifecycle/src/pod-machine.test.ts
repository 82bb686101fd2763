import type { Pod } from '@kemu/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AnyActorRef, createActor, fromCallback, fromPromise } from 'xstate';
import { containerMachine } from './container-machine.js';
import { podMachine, type PodInput, type SandboxInput } from './pod-machine.js';
import { podStatusFromSnapshot } from './pod-status.js';
import type { HookInput, KillEvent, RunContainerInput } from './types.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

interface Harness {
  sandbox: string[];
  runs: Map<string, { sendBack: (e: Parameters<AnyActorRef['send']>[0]) => void; signals: string[] }[]>;
  failCreates: number;
}

function fakePodMachine(h: Harness) {
  return podMachine.provide({
    actors: {
      createSandbox: fromPromise<void, SandboxInput>(async ({ input }) => {
        if (h.failCreates-- > 0) throw new Error('bridge cbr0 missing');
        h.sandbox.push(`create ${input.podIP}`);
      }),
      deleteSandbox: fromPromise<void, SandboxInput>(async ({ input }) => {
        h.sandbox.push(`delete ${input.podIP}`);
      }),
      container: containerMachine.provide({
        actors: {
          runContainer: fromCallback<KillEvent, RunContainerInput>(({ input, sendBack, receive }) => {
            const run = { sendBack, signals: [] as string[] };
            h.runs.set(input.name, [...(h.runs.get(input.name) ?? []), run]);
            receive((e) => run.signals.push(e.signal));
          }),
        },
      }),
    },
  });
}

const pod = (restartPolicy: 'Always' | 'Never' = 'Always', names = ['web']): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u-1' },
  spec: { nodeName: 'node-1', restartPolicy, containers: names.map((name) => ({ name, image: 'nginx' })) },
});

const podInput = (p: Pod): PodInput => ({
  podIP: '10.244.1.5',
  hostIP: '10.250.0.11',
  startTime: iso(T0),
  containers: p.spec.containers.map((c) => ({ name: c.name, restartPolicy: p.spec.restartPolicy ?? 'Always' })),
});

describe('podMachine', () => {
  let h: Harness;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    h = { sandbox: [], runs: new Map(), failCreates: 0 };
  });
  afterEach(() => vi.useRealTimers());

  it('creates the sandbox, starts the containers and reports Running and Ready', async () => {
    const p = pod('Always', ['web', 'sidecar']);
    const actor = createActor(fakePodMachine(h), { input: podInput(p) }).start();
    expect(actor.getSnapshot().value).toBe('containerCreating');
    expect(podStatusFromSnapshot(actor.getSnapshot(), p, iso(T0)).containerStatuses?.[0]?.state).toEqual({
      waiting: { reason: 'ContainerCreating' },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.sandbox).toEqual(['create 10.244.1.5']);
    expect(actor.getSnapshot().value).toBe('running');
    h.runs.get('web')![0]!.sendBack({ type: 'PROCESS_STARTED', pid: 11, startedAt: iso(T0) });
    h.runs.get('sidecar')![0]!.sendBack({ type: 'PROCESS_STARTED', pid: 12, startedAt: iso(T0) });
    let status = podStatusFromSnapshot(actor.getSnapshot(), p, iso(T0));
    expect(status.phase).toBe('Running');
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [web sidecar]',
    });
    actor.send({ type: 'READINESS_SUCCEEDED', container: 'web' });
    actor.send({ type: 'READINESS_SUCCEEDED', container: 'sidecar' });
    status = podStatusFromSnapshot(actor.getSnapshot(), p, iso(T0 + 1_000));
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(status.containerStatuses?.map((c) => c.containerID)).toEqual(['kemu://11', 'kemu://12']);
    actor.stop();
  });

  it('terminates with SIGTERM, SIGKILL after the 2 s floor, then deletes the sandbox', async () => {
    const p = pod();
    const actor = createActor(fakePodMachine(h), { input: podInput(p) }).start();
    await vi.advanceTimersByTimeAsync(0);
    const run = h.runs.get('web')![0]!;
    run.sendBack({ type: 'PROCESS_STARTED', pid: 11, startedAt: iso(T0) });
    actor.send({ type: 'DELETE_REQUESTED', graceSeconds: 0 });
    expect(actor.getSnapshot().value).toEqual({ terminating: 'stoppingContainers' });
    expect(run.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(run.signals).toEqual(['SIGTERM', 'SIGKILL']);
    run.sendBack({ type: 'PROCESS_EXITED', exitCode: 137, signal: 9, finishedAt: iso(T0 + 2_000) });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.sandbox).toEqual(['create 10.244.1.5', 'delete 10.244.1.5']);
    expect(actor.getSnapshot().status).toBe('done');
    const status = podStatusFromSnapshot(actor.getSnapshot(), p, iso(T0 + 2_000));
    expect(status.phase).toBe('Failed');
    expect(status.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
  });

  it('terminates a pod whose sandbox was never created without waiting', async () => {
    h.failCreates = 1;
    const actor = createActor(fakePodMachine(h), { input: podInput(pod()) }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().value).toBe('sandboxBackOff');
    actor.send({ type: 'DELETE_REQUESTED' });
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().status).toBe('done');
    expect(h.sandbox).toEqual(['delete 10.244.1.5']);
  });

  it('retries a failed sandbox after 2 s', async () => {
    h.failCreates = 1;
    const actor = createActor(fakePodMachine(h), { input: podInput(pod()) }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().context.sandboxError).toContain('bridge cbr0 missing');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(actor.getSnapshot().value).toBe('running');
    actor.stop();
  });

  it('releases the sandbox of a pod whose containers completed, and reports Succeeded', async () => {
    const p = pod('Never');
    const actor = createActor(fakePodMachine(h), { input: podInput(p) }).start();
    await vi.advanceTimersByTimeAsync(0);
    const run = h.runs.get('web')![0]!;
    run.sendBack({ type: 'PROCESS_STARTED', pid: 11, startedAt: iso(T0) });
    run.sendBack({ type: 'PROCESS_EXITED', exitCode: 0, finishedAt: iso(T0 + 3_000) });
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().value).toEqual({ completed: 'released' });
    expect(h.sandbox).toEqual(['create 10.244.1.5', 'delete 10.244.1.5']);
    const status = podStatusFromSnapshot(actor.getSnapshot(), p, iso(T0 + 3_000));
    expect(status.phase).toBe('Succeeded');
    expect(status.podIP).toBe('10.244.1.5');
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
    actor.send({ type: 'DELETE_REQUESTED', graceSeconds: 30 });
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().status).toBe('done');
  });

  it.each([
    [0, []],
    [5, ['preStop web']],
  ])(
    'with grace %i runs these preStop hooks before SIGTERM: %j (grace 0 is a forced deletion)',
    async (grace, hooks) => {
      const ran: string[] = [];
      const machine = podMachine.provide({
        actors: {
          createSandbox: fromPromise<void, SandboxInput>(async () => undefined),
          deleteSandbox: fromPromise<void, SandboxInput>(async () => undefined),
          container: containerMachine.provide({
            actors: {
              runContainer: fromCallback<KillEvent, RunContainerInput>(({ input, sendBack, receive }) => {
                const run = { sendBack, signals: [] as string[] };
                h.runs.set(input.name, [...(h.runs.get(input.name) ?? []), run]);
                receive((e) => run.signals.push(e.signal));
              }),
              preStop: fromPromise<void, HookInput>(async ({ input }) => {
                ran.push(`preStop ${input.name}`);
              }),
            },
          }),
        },
      });
      const input = podInput(pod());
      const actor = createActor(machine, {
        input: { ...input, containers: input.containers.map((c) => ({ ...c, preStop: true })) },
      }).start();
      await vi.advanceTimersByTimeAsync(0);
      const run = h.runs.get('web')![0]!;
      run.sendBack({ type: 'PROCESS_STARTED', pid: 11, startedAt: iso(T0) });
      actor.send({ type: 'DELETE_REQUESTED', graceSeconds: grace });
      await vi.advanceTimersByTimeAsync(0);
      expect(ran).toEqual(hooks);
      expect(run.signals).toEqual(['SIGTERM']);
      actor.stop();
    },
  );
});
