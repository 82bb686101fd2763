/**
 * Container lifecycle hooks (lifecycle.postStart / lifecycle.preStop) as the kubelet's
 * handler runner runs them: `exec` runs the command inside the container (`runc exec`;
 * the pod's network namespace for a process that is no container) and fails on a non-zero exit; `httpGet` sends one GET to the pod (or `host`) and fails
 * only when no response comes back (the kubelet does not look at the status code);
 * `sleep` (Kubernetes 1.30+) waits `seconds`. A hook the caller gives up on (timeout or
 * abort) is ended: an exec hook's process is killed (the kubelet would leave it running
 * inside the container, which is killed moments later anyway).
 */
import type { Container } from '@kemu/api';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { inContainer } from '../probes/probe.js';
import { resolvePort } from '../probes/probe.js';

/** One hook handler (Kubernetes' LifecycleHandler). */
export interface LifecycleHandler {
  exec?: { command: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string };
  sleep?: { seconds: number };
  tcpSocket?: { port: number | string };
}

/** A container's `lifecycle` field (not in the shared Container type: it is kept as given). */
export interface ContainerLifecycle {
  postStart?: LifecycleHandler;
  preStop?: LifecycleHandler;
}

/** Which hook runs. */
export type HookKind = 'PostStart' | 'PreStop';

/** Where a hook runs. */
export interface HookTarget {
  podIP: string;
  podNetns: string;
  container: Container;
  /** `<name>_<namespace>(<uid>)`, as the kubelet names pods in hook messages. */
  podRef: string;
  /** The container's environment, which an exec hook runs with (default: the agent's). */
  env?: Record<string, string>;
  /** The container's process (process pods): an exec hook runs in its mount namespace. */
  pid?: number;
  /** The argv prefix that runs a command inside the container (runc exec); else the pod netns is entered. */
  enter?: string[];
}

/** A hook's outcome; `message` is the kubelet's event message on failure. */
export interface HookResult {
  ok: boolean;
  message: string;
}

/** The container's hook of `kind`, if it has one. */
export function hookOf(container: Container, kind: HookKind): LifecycleHandler | undefined {
  const lifecycle = (container as Container & { lifecycle?: ContainerLifecycle }).lifecycle;
  return kind === 'PreStop' ? lifecycle?.preStop : lifecycle?.postStart;
}

function execHook(
  handler: { command: string[] },
  target: HookTarget,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<HookResult> {
  const { command } = handler;
  const [file = 'ip', ...args] = target.enter
    ? [...target.enter, ...command]
    : inContainer(target.podNetns, target.pid, command);
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, ...(signal ? { signal } : {}), ...(target.env ? { env: target.env } : {}) },
      (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, message: '' });
        const code = typeof err.code === 'number' ? err.code : 1;
        const output = `${stdout}${stderr}`;
        resolve({
          ok: false,
          message: `Exec lifecycle hook ([${command.join(' ')}]) for Container "${target.container.name}" in Pod "${target.podRef}" failed - error: command '${command.join(' ')}' exited with ${code}: ${output}, message: ${JSON.stringify(output)}`,
        });
      },
    );
  });
}

function httpHook(
  handler: NonNullable<LifecycleHandler['httpGet']>,
  target: HookTarget,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<HookResult> {
  const path = handler.path ?? '/';
  const fail = (error: string): HookResult => ({
    ok: false,
    message: `HTTP lifecycle hook (${path}) for Container "${target.container.name}" in Pod "${target.podRef}" failed - error: ${error}`,
  });
  const port = resolvePort(handler.port, target.container);
  if (port === undefined) return Promise.resolve(fail(`unknown port ${JSON.stringify(handler.port)}`));
  const host = handler.host || target.podIP;
  return new Promise((resolve) => {
    const req = request(
      { host, port, path, method: 'GET', timeout: timeoutMs, agent: false, ...(signal ? { signal } : {}) },
      (res) => {
        res.resume();
        resolve({ ok: true, message: '' });
      },
    );
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded')));
    req.on('error', (err) => resolve(fail(`Get "http://${host}:${port}${path}": ${err.message}`)));
    req.end();
  });
}

/** Runs one hook handler; resolves with its outcome (never rejects). */
export async function runHook(
  handler: LifecycleHandler,
  target: HookTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<HookResult> {
  if (handler.exec) return execHook(handler.exec, target, timeoutMs, signal);
  if (handler.httpGet) return httpHook(handler.httpGet, target, timeoutMs, signal);
  if (handler.sleep) {
    try {
      await sleep(Math.max(0, handler.sleep.seconds) * 1000, undefined, signal ? { signal } : undefined);
    } catch {
      // Aborted: the caller stopped waiting.
    }
    return { ok: true, message: '' };
  }
  return { ok: false, message: `Lifecycle hook for Container "${target.container.name}" has no supported handler` };
}
