/**
 * The side effects of one pod's container machines: `runContainer` spawns a container
 * process (or adopts one left by a previous agent), reports PROCESS_STARTED and
 * PROCESS_EXITED and turns KILL into a signal to its process group; `readiness` turns
 * the readiness watcher's results into READINESS_* events. Stopping an actor stops
 * watching only: processes are never killed except on KILL.
 */
import type { Pod } from '@kemu/api';
import type { KillEvent, ReadinessInput, RunContainerInput } from '@kemu/lifecycle';
import type { Logger } from '@kemu/log';
import { type EventObject, fromCallback } from 'xstate';
import { type ContainerLaunch, containerPorts, realCommand } from './container-launch.js';
import { type ContainerProcess, adoptProcess, startProcess } from './process-runner.js';
import { watchReadiness } from './readiness.js';

/** What the actors of one pod need. */
export interface ContainerActorsContext {
  /** The latest version of the pod. */
  pod: () => Pod;
  podIP: string;
  podNetns: string;
  launch(pod: Pod, containerName: string, podIP: string): ContainerLaunch;
  logPath(pod: Pod, containerName: string): string;
  log: Logger;
  /** A readinessProbe attempt of `container` failed with `message`. */
  probeFailed?: (container: string, message: string) => void;
}

const now = () => new Date().toISOString();

/** Creates the `runContainer` and `readiness` actor logic for one pod. */
export function containerActors(ctx: ContainerActorsContext) {
  const { podIP, log } = ctx;
  const spec = (name: string) => {
    const containers = ctx.pod().spec.containers;
    return containers.find((c) => c.name === name) ?? containers[0]!;
  };

  const runContainer = fromCallback<KillEvent, RunContainerInput>(({ input, sendBack, receive }) => {
    const clog = log.child({ container: input.name });
    const pending: NodeJS.Signals[] = [];
    let proc: ContainerProcess | undefined;
    let ended = false;
    void (async () => {
      try {
        if (input.adopt) {
          proc = await adoptProcess(input.adopt.pid, input.adopt.startedAt);
        } else {
          const l = ctx.launch(ctx.pod(), input.name, podIP);
          proc = await startProcess({ argv: l.argv, env: l.env, logPath: ctx.logPath(ctx.pod(), input.name) });
        }
      } catch (err) {
        clog.warn({ err }, 'container start failed');
        if (!ended) sendBack({ type: 'PROCESS_EXITED', exitCode: 128, finishedAt: now() });
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
      const exit = await proc.exited;
      if (ended) return;
      clog.info({ pid: proc.pid, exitCode: exit.exitCode, signal: exit.signal }, 'container exited');
      sendBack({ type: 'PROCESS_EXITED', ...exit });
    })();
    receive((e) => {
      clog.info({ signal: e.signal, pid: proc?.pid }, 'killing container');
      if (proc) proc.kill(e.signal);
      else pending.push(e.signal);
    });
    return () => {
      ended = true;
      proc?.unwatch();
    };
  });

  const readiness = fromCallback<EventObject, ReadinessInput>(({ input, sendBack }) => {
    const container = spec(input.name);
    return watchReadiness(
      {
        podIP,
        podNetns: ctx.podNetns,
        container,
        builtIn: realCommand(container) === undefined,
        ports: containerPorts(container),
        initiallyReady: input.initiallyReady,
        onProbeFailure: (message) => ctx.probeFailed?.(input.name, message),
      },
      (ready) => sendBack({ type: ready ? 'READINESS_SUCCEEDED' : 'READINESS_FAILED' }),
    );
  });

  return { runContainer, readiness };
}
