/**
 * `kubectl exec` on this node: the command runs inside the container (`runc exec`: its
 * root filesystem, namespaces, environment and working directory), looked up in the
 * container's PATH and files; a process that is no container is entered the old way
 * (`ip netns exec` with the process's environment and working directory). With a tty it runs under `script` for a
 * pty. Output goes out as stdout/stderr frames, the exit code in the end frame; a
 * cancelled session kills the command's process group.
 */
import type { Logger } from '@kemu/log';
import type { View } from '@kemu/eventlog';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, readlinkSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, join } from 'node:path';
import { type ExecRequest, Frame, type StreamStatus, decodeJson } from '@kemu/pod-streams';
import type { StreamHandler } from './pod-stream-server.js';
import { resolveTarget } from './stream-target.js';

/** What the exec handler needs. */
export interface ExecServerOptions {
  view: View;
  node: string;
  /** The argv prefix that enters a pod's namespaces (network, and the UTS of container process `pid`). */
  enterPod(uid: string, pid: number): string[];
  /** The argv prefix that runs a command inside the container whose init is `pid` (runc exec); undefined for a process that is no container. */
  enterContainer?(pid: number, tty: boolean): string[] | undefined;
  /** The host path of that container's root filesystem, where its commands are looked up. */
  containerRootfs?(pid: number): string | undefined;
  readEnviron(pid: number): Promise<Record<string, string> | undefined>;
  log: Logger;
}

/** Quotes argv for `sh -c`. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Finds an executable as execvp would, in `PATH` below `root` (a container's rootfs); undefined when there is none. */
export function lookPath(file: string, path: string | undefined, root = '/'): string | undefined {
  const executable = (p: string) => {
    try {
      accessSync(join(root, p), fsConstants.X_OK);
      return statSync(join(root, p)).isFile();
    } catch {
      return false;
    }
  };
  if (file.includes('/')) return executable(file) ? file : undefined;
  for (const dir of (path ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    const candidate = join(dir || '.', file);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

function cwdOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return '/';
  }
}

/** Resizes the pty `script` made for its child (best effort: the child may not exist yet). */
function resizePty(scriptPid: number, width: number, height: number, attempt = 0): void {
  let child: string | undefined;
  try {
    child = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim().split(' ')[0];
  } catch {
    return;
  }
  if (!child) {
    if (attempt < 10) setTimeout(() => resizePty(scriptPid, width, height, attempt + 1), 50).unref();
    return;
  }
  execFile('stty', ['-F', `/proc/${child}/fd/0`, 'rows', String(height), 'cols', String(width)], () => undefined);
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal) return 128 + (constants.signals[signal] ?? 1);
  return code ?? 0;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** Creates the `exec` stream handler. */
export function createExecHandler(o: ExecServerOptions): StreamHandler<ExecRequest> {
  return async (req, session) => {
    const target = resolveTarget(o.view, o.node, req);
    if (!('pod' in target)) return target;
    const command = req.command ?? [];
    if (command.length === 0)
      return { code: 400, reason: 'BadRequest', message: 'you must specify at least 1 command' };
    const notFound: StreamStatus = {
      code: 400,
      reason: 'BadRequest',
      message: `container not found ("${target.container.name}")`,
    };
    if (target.pid === undefined) return notFound;
    const environ = await o.readEnviron(target.pid);
    if (!environ) return notFound;
    const env = { ...environ };
    if (req.tty && !env.TERM) env.TERM = 'xterm';
    const inContainer = target.pod.spec.hostNetwork ? undefined : o.enterContainer?.(target.pid, req.tty === true);
    const root = inContainer ? o.containerRootfs?.(target.pid) : undefined;
    if (!lookPath(command[0] as string, env.PATH, root)) {
      return {
        code: 500,
        reason: 'InternalError',
        message: `error executing command in container: failed to exec in container: exec: "${command[0]}": executable file not found in $PATH`,
      };
    }
    // A container: runc exec (with its own pty for a tty, which runc gets from `script`).
    const argv = inContainer
      ? req.tty
        ? ['script', '-qfec', shellJoin([...inContainer, ...command]), '/dev/null']
        : [...inContainer, ...command]
      : [
          ...(target.pod.spec.hostNetwork ? [] : o.enterPod(target.pod.metadata.uid ?? '', target.pid)),
          ...(req.tty ? ['script', '-qfec', shellJoin(command), '/dev/null'] : command),
        ];
    const log = o.log.child({ pod: `${req.namespace}/${req.pod}`, container: req.container });
    const cwd = inContainer ? '/' : cwdOf(target.pid);

    return () => {
      const child = spawn(argv[0] as string, argv.slice(1), {
        env,
        cwd,
        detached: true,
        stdio: [req.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
      let finished = false;
      const finish = (exitCode: number | undefined, status?: StreamStatus) => {
        if (finished) return;
        finished = true;
        session.end(status ? { status } : { exitCode });
      };
      child.stdout?.on('data', (d: Buffer) => session.send(Frame.stdout, d));
      child.stderr?.on('data', (d: Buffer) => session.send(req.tty ? Frame.stdout : Frame.stderr, d));
      child.stdin?.on('error', () => undefined);
      child.once('error', (err) => {
        log.warn({ err }, 'exec failed to start');
        finish(undefined, {
          code: 500,
          reason: 'InternalError',
          message: `failed to exec in container: ${err.message}`,
        });
      });
      child.once('exit', (code, signal) => {
        const exitCode = exitCodeOf(code, signal);
        // Output may still be in flight: wait for the pipes, but not for a background child holding them.
        const timer = setTimeout(() => finish(exitCode), 1_000);
        child.once('close', () => {
          clearTimeout(timer);
          finish(exitCode);
        });
      });
      session.onInput((type, payload) => {
        if (type === Frame.stdin) child.stdin?.write(payload);
        else if (type === Frame.closeStdin) child.stdin?.end();
        else if (type === Frame.resize && req.tty && child.pid !== undefined) {
          try {
            const size = decodeJson<{ Width?: number; Height?: number }>(payload);
            if (size.Width && size.Height) resizePty(child.pid, size.Width, size.Height);
          } catch {
            // A malformed resize is ignored, as the kubelet does.
          }
        }
      });
      session.onCancel(() => killGroup(child));
    };
  };
}
