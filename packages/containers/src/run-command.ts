/** Runs a command without a shell and turns failure into a RuntimeCommandError. */
import { execFile } from 'node:child_process';
import { RuntimeCommandError } from './errors.js';

/** Output of a successful command. */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs `cmd args...` (execFile, no shell); resolves with its output or throws RuntimeCommandError. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number; input?: string } = {},
): Promise<CommandResult> {
  const command = [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ stdout, stderr });
          return;
        }
        const code = (err as NodeJS.ErrnoException & { code?: unknown }).code;
        const exitCode = typeof code === 'number' ? code : null;
        const why = code === 'ENOENT' ? `command not found: ${cmd}` : String(stderr ?? '');
        reject(new RuntimeCommandError(command, exitCode, why, { cause: err }));
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
