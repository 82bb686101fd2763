/**
 * Failures of the network namespace helpers, each with a stable `code` so callers can
 * branch on it instead of on messages.
 */

/** A command (usually `ip`) exited non-zero or could not be started. */
export class NetnsCommandError extends Error {
  override readonly name = 'NetnsCommandError';
  /** Stable code: 'NetnsCommand' when the command ran and failed, 'CommandNotFound' when it is missing. */
  readonly code: 'NetnsCommand' | 'CommandNotFound';
  /** Exit code of the process, or null when it was killed or never started. */
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly command: string;

  constructor(
    command: string,
    exitCode: number | null,
    stderr: string,
    options?: { cause?: unknown; notFound?: boolean },
  ) {
    super(
      options?.notFound
        ? `command not found: ${command.split(' ')[0]}`
        : `${command} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || 'no output'}`,
      { cause: options?.cause },
    );
    this.code = options?.notFound ? 'CommandNotFound' : 'NetnsCommand';
    this.exitCode = exitCode;
    this.stderr = stderr;
    this.command = command;
  }
}

/** A cluster name or layout parameter that the cluster layout cannot use. */
export class InvalidLayoutError extends Error {
  override readonly name = 'InvalidLayoutError';
  readonly code = 'InvalidLayout';
}
