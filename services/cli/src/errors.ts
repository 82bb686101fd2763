/**
 * Failures the `kemu` command reports to its user. Each has a stable `code`; `main.ts`
 * prints the message as `error: ...` (like kubectl) and exits with `exitCode`, never
 * with a stack trace.
 */

/** Base class of every error meant for the user. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad command line: unknown command or flag, missing or invalid value. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('Usage', message, { exitCode: 2 });
  }
}

/** A prerequisite (root, a tool, a build) is missing. */
export class PrerequisiteError extends CliError {
  override readonly name = 'PrerequisiteError';
  constructor(message: string) {
    super('Prerequisite', message);
  }
}

/** The command needs a running cluster and there is none. */
export class ClusterNotUpError extends CliError {
  override readonly name = 'ClusterNotUpError';
  constructor(cluster: string) {
    super('ClusterNotUp', `cluster ${cluster} is not up (start it with: ./kemu up --name ${cluster})`);
  }
}

/** A wait (port, readiness) ran past its deadline. */
export class WaitTimeoutError extends CliError {
  override readonly name = 'WaitTimeoutError';
  constructor(message: string) {
    super('Timeout', message);
  }
}

/** The apiserver answered with an error status or could not be reached. */
export class ApiRequestError extends CliError {
  override readonly name = 'ApiRequestError';
  /** HTTP status, or 0 when no answer came. */
  readonly status: number;
  constructor(status: number, message: string, cause?: unknown) {
    super(status === 404 ? 'NotFound' : 'ApiRequest', message, { cause });
    this.status = status;
  }
}
