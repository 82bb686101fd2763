/**
 * The OCI runtime's command line (runc; crun takes the same commands): one state
 * directory (`--root`) per node, so nodes and clusters never see each other's containers.
 * Only the calls the runtime needs: state, list, kill, delete, and the argv of `run` (for
 * the monitor) and `exec` (for the caller to spawn with its own stdio).
 */
import { RuntimeCommandError } from './errors.js';
import { runCommand } from './run-command.js';

/** What `runc state` reports. */
export interface RuncState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
  created: string;
  annotations?: Record<string, string>;
}

/** Options of `exec`. */
export interface RuncExecOptions {
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  user?: { uid: number; gid: number };
  tty?: boolean;
}

/** The runtime binary and its state directory. */
export interface RuncCli {
  readonly binary: string;
  readonly root: string;
  /** The container's state, or undefined when the runtime does not know it. */
  state(id: string): Promise<RuncState | undefined>;
  list(): Promise<RuncState[]>;
  /** Signals the container's init; a container that is not running is fine. */
  kill(id: string, signal: string): Promise<void>;
  /** Removes the runtime's state, killing the container first when `force`. */
  delete(id: string, force: boolean): Promise<void>;
  /** The argv of `run --detach` of a bundle (run by the monitor). */
  runArgv(id: string, bundle: string, pidFile: string, logFile: string): string[];
  /** The argv of an `exec` into a running container. */
  execArgv(id: string, options: RuncExecOptions): string[];
}

function notFound(err: unknown): boolean {
  return err instanceof RuntimeCommandError && /does not exist|not exist|not found/i.test(err.stderr);
}

function notRunning(err: unknown): boolean {
  return (
    err instanceof RuntimeCommandError && /not running|process already finished|container not running/i.test(err.stderr)
  );
}

/** Creates the command-line driver of `binary` (runc) with state in `root`. */
export function createRuncCli(binary: string, root: string): RuncCli {
  const base = ['--root', root];
  return {
    binary,
    root,
    async state(id) {
      try {
        return JSON.parse((await runCommand(binary, [...base, 'state', id])).stdout) as RuncState;
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
    },
    async list() {
      const { stdout } = await runCommand(binary, [...base, 'list', '--format', 'json']);
      return (JSON.parse(stdout.trim() || 'null') as RuncState[] | null) ?? [];
    },
    async kill(id, signal) {
      try {
        await runCommand(binary, [...base, 'kill', id, signal]);
      } catch (err) {
        if (!notFound(err) && !notRunning(err)) throw err;
      }
    },
    async delete(id, force) {
      try {
        await runCommand(binary, [...base, 'delete', ...(force ? ['--force'] : []), id]);
      } catch (err) {
        if (!notFound(err)) throw err;
      }
    },
    runArgv(id, bundle, pidFile, logFile) {
      return [
        binary,
        ...base,
        '--log',
        logFile,
        '--log-format',
        'json',
        'run',
        '--detach',
        '--bundle',
        bundle,
        '--pid-file',
        pidFile,
        id,
      ];
    },
    execArgv(id, options) {
      const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
      return [
        binary,
        ...base,
        'exec',
        ...(options.tty ? ['--tty'] : []),
        ...(options.cwd ? ['--cwd', options.cwd] : []),
        ...(options.user ? ['--user', `${options.user.uid}:${options.user.gid}`] : []),
        ...env,
        id,
        ...options.args,
      ];
    },
  };
}
