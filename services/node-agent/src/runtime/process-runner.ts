/**
 * Container processes. Each runs in its own session (setsid, `detached`), with stdout and
 * stderr appended to its log file and nothing tied to the agent, so it outlives a
 * `kill -9` of the node-agent. Signals go to the whole process group, so a shell's
 * children stop with it. A process started by this agent reports its exit status; an
 * adopted one (started by a previous agent) can only be watched through /proc, so its
 * exit status is unknown.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { dirname } from 'node:path';

/** How a process ended; exitCode undefined when nobody could see it (adopted pid). */
export interface ProcessExit {
  exitCode?: number;
  signal?: number;
  finishedAt: string;
}

/** A running container process. */
export interface ContainerProcess {
  readonly pid: number;
  readonly startedAt: string;
  readonly exited: Promise<ProcessExit>;
  /** Signals the process group; a process that is gone already is fine. */
  kill(signal: NodeJS.Signals): void;
  /** Stops watching (the process keeps running). */
  unwatch(): void;
}

/** What to spawn. */
export interface ProcessSpec {
  argv: string[];
  env: Record<string, string>;
  logPath: string;
}

/** The process could not be started at all. */
export class ProcessStartError extends Error {
  override name = 'ProcessStartError';
  readonly code = 'ProcessStart';
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}

/** Spawns a container process detached, logging to `spec.logPath`. */
export async function startProcess(spec: ProcessSpec): Promise<ContainerProcess> {
  const [cmd, ...args] = spec.argv;
  if (!cmd) throw new ProcessStartError('empty command line');
  mkdirSync(dirname(spec.logPath), { recursive: true });
  const fd = openSync(spec.logPath, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env: spec.env });
  } finally {
    closeSync(fd);
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new ProcessStartError(`cannot start ${cmd}: ${err.message}`, { cause: err })));
  });
  child.unref();
  const pid = child.pid as number;
  let onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    onExit = (code, signal) => {
      const finishedAt = new Date().toISOString();
      const signum = signal ? constants.signals[signal] : undefined;
      resolve(
        signum !== undefined
          ? { exitCode: 128 + signum, signal: signum, finishedAt }
          : { exitCode: code ?? 0, finishedAt },
      );
    };
    child.once('exit', onExit);
  });
  return {
    pid,
    startedAt: new Date().toISOString(),
    exited,
    kill: (signal) => killGroup(pid, signal),
    unwatch: () => {
      if (onExit) child.off('exit', onExit);
    },
  };
}

/** Reads /proc/<pid>/stat: the state letter and the start time in clock ticks; undefined when gone. */
export async function readProcStat(pid: number): Promise<{ state: string; startTicks: string } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTicks: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/** Reads /proc/<pid>/environ as a map; undefined when the process is gone or unreadable. */
export async function readProcEnviron(pid: number): Promise<Record<string, string> | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
    const env: Record<string, string> = {};
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return env;
  } catch {
    return undefined;
  }
}

/** Watches a process this agent did not start: exited once /proc/<pid> is gone, a zombie, or another process. */
export async function adoptProcess(pid: number, startedAt: string, pollMs = 500): Promise<ContainerProcess> {
  const first = await readProcStat(pid);
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    const done = () => resolve({ finishedAt: new Date().toISOString() });
    if (!first || first.state === 'Z') {
      done();
      return;
    }
    timer = setInterval(() => {
      void readProcStat(pid).then((now) => {
        if (timer && (!now || now.state === 'Z' || now.startTicks !== first.startTicks)) {
          clearInterval(timer);
          timer = undefined;
          done();
        }
      });
    }, pollMs);
  });
  return {
    pid,
    startedAt,
    exited,
    kill: (signal) => killGroup(pid, signal),
    unwatch: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
