/**
 * The side effects of one pod's container machines: `runContainer` starts a container
 * through the node's runtime (or adopts one left by a previous agent), reports
 * PROCESS_STARTED and PROCESS_EXITED (StartError with its cause when the runtime could
 * not start it) and turns KILL into a signal to the container's PID 1; `readiness` turns
 * the readiness watcher's results into READINESS_* events; `liveness` runs the startup
 * probe (which gates readiness through a per-run gate) and then the liveness probe and
 * sends LIVENESS_FAILED when either fails for good. Stopping an actor stops
 * watching only: processes are never killed except on KILL.
 */
import type { Pod } from '@kemu/api';
import type { HookInput, KillEvent, ReadinessInput, RunContainerInput } from '@kemu/lifecycle';
import type { Logger } from '@kemu/log';
import { type EventObject, fromCallback, fromPromise } from 'xstate';
import { ContainerConfigError } from './config-env.js';
import { type ContainerLaunch, builtInReadinessPorts, runsBuiltIn } from './container-launch.js';
import type { NodeContainers } from './node-containers.js';
import { type ContainerProcess, adoptProcess } from './process-runner.js';
import { type HookKind, hookOf, runHook } from './lifecycle-hooks.js';
import { type HealthProbeKind, probeGraceMs, watchLiveness } from '../probes/liveness.js';
import type { CpuGuard } from './cpu-limit.js';
import type { MemoryGuard } from './memory-limit.js';
import { watchReadiness } from '../probes/readiness.js';

/** How often a container waiting for its ConfigMaps and Secrets checks again. */
const CONFIG_RETRY_MS = 1_000;

/** What the actors of one pod need. */
export interface ContainerActorsContext {
  /** The latest version of the pod. */
  pod: () => Pod;
  podIP: string;
  podNetns: string;
  launch(pod: Pod, containerName: string, podIP: string): ContainerLaunch;
  logPath(pod: Pod, containerName: string): string;
  /** The node's container runtime. */
  containers: NodeContainers;
  log: Logger;
  /** A readinessProbe attempt of `container` failed with `message`. */
  probeFailed?: (container: string, message: string) => void;
  /** A startup or liveness probe attempt of `container` failed with `message`. */
  healthProbeFailed?: (container: string, kind: HealthProbeKind, message: string) => void;
  /** A postStart or preStop hook of `container` failed with `message` (logged here; FailedPostStartHook / FailedPreStopHook). */
  hookFailed?: (container: string, kind: HookKind, message: string) => void;
  /** The memory watchdog or cgroup of a run, when the container has limits.memory. */
  limitMemory?: (pod: Pod, containerName: string, pid: number) => MemoryGuard | undefined;
  /** The CPU cgroup of a run, when the container has limits.cpu and the machine enforces it. */
  limitCpu?: (pod: Pod, containerName: string, pid: number) => CpuGuard | undefined;
}

/** A per-run promise that resolves once the startup probe passed. */
interface StartupGate {
  promise: Promise<void>;
  open(): void;
}

const now = () => new Date().toISOString();

/** Creates the `runContainer` and `readiness` actor logic for one pod. */
export function containerActors(ctx: ContainerActorsContext) {
  const { podIP, log } = ctx;
  const spec = (name: string) => {
    const containers = ctx.pod().spec.containers;
    return containers.find((c) => c.name === name) ?? containers[0]!;
  };

  /** The argv prefix entering the container whose init is `pid` (absent for a process that is no container). */
  const enter = (pid: number) => {
    const argv = ctx.containers.enter(pid);
    return argv ? { enter: argv } : {};
  };

  const gates = new Map<string, StartupGate>();
  const gate = (name: string, pid: number): StartupGate => {
    const key = `${name}/${pid}`;
    let g = gates.get(key);
    if (!g) {
      let open!: () => void;
      const promise = new Promise<void>((r) => {
        open = r;
      });
      g = { promise, open };
      gates.set(key, g);
    }
    return g;
  };

  const runContainer = fromCallback<KillEvent, RunContainerInput>(({ input, sendBack, receive }) => {
    const clog = log.child({ container: input.name });
    const pending: NodeJS.Signals[] = [];
    let proc: ContainerProcess | undefined;
    let guard: MemoryGuard | undefined;
    let cpuGuard: CpuGuard | undefined;
    let ended = false;
    // A missing ConfigMap or Secret: report CreateContainerConfigError and try again, as the kubelet's pod sync does.
    const launchWhenConfigured = async (name: string): Promise<ContainerLaunch | undefined> => {
      let reported = '';
      for (;;) {
        try {
          return ctx.launch(ctx.pod(), name, podIP);
        } catch (err) {
          if (!(err instanceof ContainerConfigError)) throw err;
          if (err.message !== reported) {
            clog.warn({ reason: err.reason, message: err.message }, 'container config not ready');
            sendBack({ type: 'CONFIG_ERROR', reason: err.reason, message: err.message });
            reported = err.message;
          }
        }
        await new Promise((r) => setTimeout(r, CONFIG_RETRY_MS));
        if (ended) return undefined;
      }
    };
    void (async () => {
      try {
        if (input.adopt) {
          proc =
            (await ctx.containers.adopt(input.adopt.pid)) ??
            (await adoptProcess(input.adopt.pid, input.adopt.startedAt));
        } else {
          const l = await launchWhenConfigured(input.name);
          if (!l) return;
          const pod = ctx.pod();
          const run = {
            name: input.name,
            restartCount: input.restartCount ?? 0,
            logPath: ctx.logPath(pod, input.name),
          };
          proc = await ctx.containers.start(pod, l, run);
        }
      } catch (err) {
        clog.warn({ err }, 'container start failed');
        const message = err instanceof Error ? err.message : String(err);
        if (!ended)
          sendBack({ type: 'PROCESS_EXITED', exitCode: 128, reason: 'StartError', message, finishedAt: now() });
        return;
      }
      if (ended) {
        proc.unwatch();
        return;
      }
      clog.info(
        { pid: proc.pid, adopted: input.adopt !== undefined, restartCount: input.restartCount },
        'container started',
      );
      sendBack({ type: 'PROCESS_STARTED', pid: proc.pid, startedAt: input.adopt?.startedAt ?? proc.startedAt });
      for (const s of pending) proc.kill(s);
      guard = ctx.limitMemory?.(ctx.pod(), input.name, proc.pid);
      cpuGuard = ctx.limitCpu?.(ctx.pod(), input.name, proc.pid);
      const exit = await proc.exited;
      guard?.stop();
      cpuGuard?.stop();
      if (ended) return;
      const reason = guard?.oomKilled() ? 'OOMKilled' : undefined;
      clog.info({ pid: proc.pid, exitCode: exit.exitCode, signal: exit.signal, reason }, 'container exited');
      sendBack({ type: 'PROCESS_EXITED', ...exit, ...(reason ? { reason } : {}) });
    })();
    receive((e) => {
      clog.info({ signal: e.signal, pid: proc?.pid }, 'killing container');
      if (proc) proc.kill(e.signal);
      else pending.push(e.signal);
    });
    return () => {
      ended = true;
      guard?.stop();
      cpuGuard?.stop();
      proc?.unwatch();
    };
  });

  const readiness = fromCallback<EventObject, ReadinessInput>(({ input, sendBack }) => {
    const container = spec(input.name);
    let stop: (() => void) | undefined;
    let ended = false;
    const startupGate =
      container.startupProbe && !input.initiallyReady ? gate(input.name, input.pid).promise : undefined;
    const begin = () => {
      if (ended) return;
      stop = watchReadiness(
        {
          podIP,
          podNetns: ctx.podNetns,
          ...enter(input.pid),
          container,
          pid: input.pid,
          builtIn: runsBuiltIn(container) && builtInReadinessPorts(container).length > 0,
          ports: builtInReadinessPorts(container),
          initiallyReady: input.initiallyReady,
          onProbeFailure: (message) => ctx.probeFailed?.(input.name, message),
        },
        (ready) => sendBack({ type: ready ? 'READINESS_SUCCEEDED' : 'READINESS_FAILED' }),
      );
    };
    if (startupGate) void startupGate.then(begin);
    else begin();
    return () => {
      ended = true;
      stop?.();
    };
  });

  const liveness = fromCallback<EventObject, ReadinessInput>(({ input, sendBack }) => {
    const container = spec(input.name);
    const key = `${input.name}/${input.pid}`;
    const stop = watchLiveness(
      {
        podIP,
        podNetns: ctx.podNetns,
        ...enter(input.pid),
        container,
        pid: input.pid,
        alreadyStarted: input.initiallyReady,
      },
      {
        started: () => {
          gate(input.name, input.pid).open();
          if (container.startupProbe) sendBack({ type: 'STARTUP_SUCCEEDED' });
        },
        attemptFailed: (kind, message) => ctx.healthProbeFailed?.(input.name, kind, message),
        failed: (kind, message) => {
          log.info({ container: input.name, kind, message }, 'container failed its probe, killing it');
          const graceMs = probeGraceMs(container, kind);
          sendBack({
            type: 'LIVENESS_FAILED',
            message: `${kind} probe failed: ${message}`,
            ...(graceMs !== undefined ? { graceMs } : {}),
          });
        },
      },
    );
    return () => {
      stop();
      gates.delete(key);
    };
  });

  /** A hook actor: runs the container's hook of `kind`; rejects when it failed (after reporting it). */
  const hook = (kind: HookKind) =>
    fromPromise<void, HookInput>(async ({ input, signal }) => {
      const container = spec(input.name);
      const handler = hookOf(container, kind);
      if (!handler) return;
      const pod = ctx.pod();
      const podRef = `${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid ?? ''})`;
      const hlog = log.child({ container: input.name, hook: kind });
      hlog.info({ pid: input.pid, timeoutMs: input.timeoutMs }, 'running lifecycle hook');
      let env: Record<string, string> | undefined;
      try {
        env = handler.exec ? ctx.launch(pod, input.name, podIP).env : undefined;
      } catch (err) {
        // A ConfigMap or Secret deleted since the start: the hook runs with the agent's env.
        if (!(err instanceof ContainerConfigError)) throw err;
      }
      const result = await runHook(
        handler,
        {
          podIP,
          podNetns: ctx.podNetns,
          ...enter(input.pid),
          container,
          podRef,
          pid: input.pid,
          ...(env ? { env } : {}),
        },
        input.timeoutMs,
        signal,
      );
      if (signal.aborted) return;
      if (result.ok) {
        hlog.info({ pid: input.pid }, 'lifecycle hook done');
        return;
      }
      hlog.warn({ pid: input.pid, message: result.message }, 'lifecycle hook failed');
      ctx.hookFailed?.(input.name, kind, result.message);
      throw new Error(result.message);
    });

  return { runContainer, readiness, liveness, preStop: hook('PreStop'), postStart: hook('PostStart') };
}
