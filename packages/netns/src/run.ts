/** Runs a command without a shell and turns failure into a NetnsCommandError. */
import { execFile } from 'node:child_process';
import { NetnsCommandError } from './errors.js';

/** Options for `run`. */
export interface RunOptions {
  /** Milliseconds before the command is killed; default 30 s. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

/** Output of a successful command. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs `cmd args...` (execFile, no shell); resolves with its output or throws NetnsCommandError. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const command = [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        timeout: opts.timeoutMs ?? 30_000,
        env: opts.env ?? process.env,
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ stdout, stderr });
          return;
        }
        const e = err as NodeJS.ErrnoException & { code?: unknown };
        if (e.code === 'ENOENT') {
          reject(new NetnsCommandError(command, null, String(stderr ?? ''), { cause: err, notFound: true }));
          return;
        }
        const exitCode = typeof e.code === 'number' ? e.code : null;
        reject(new NetnsCommandError(command, exitCode, String(stderr ?? ''), { cause: err }));
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
