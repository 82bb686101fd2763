/**
 * Failures of chaos experiments, each with a stable code and the exit code the CLI front
 * end reports it with.
 */

/** Base of every chaos failure. */
export class ChaosError extends Error {
  override readonly name: string = 'ChaosError';
  /** Process exit code for a command that ends with this failure. */
  readonly exitCode: number;
  constructor(
    readonly code: string,
    message: string,
    options: { exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
  }
}

/** The experiment file is not valid; names the field. */
export class ExperimentInvalidError extends ChaosError {
  override readonly name = 'ExperimentInvalidError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super('ExperimentInvalid', `invalid experiment: ${field}: ${detail}`);
  }
}

/** A fault kind this machine cannot inject (e.g. no sch_netem); raised before the run starts. */
export class FaultUnsupportedError extends ChaosError {
  override readonly name = 'FaultUnsupportedError';
  constructor(action: string, why: string) {
    super('FaultUnsupported', `cannot inject ${action} on this machine: ${why}`, { exitCode: 3 });
  }
}

/** A fault could not be injected or undone. */
export class FaultFailedError extends ChaosError {
  override readonly name = 'FaultFailedError';
  constructor(what: string, options?: { cause?: unknown }) {
    super('FaultFailed', what, options);
  }
}

/** No target matched the selector. */
export class NoTargetError extends ChaosError {
  override readonly name = 'NoTargetError';
  constructor(what: string) {
    super('NoTarget', `no target matches: ${what}`);
  }
}

/** The apiserver answered a chaos request with an error status, or not at all (status 0). */
export class ChaosApiError extends ChaosError {
  override readonly name = 'ChaosApiError';
  constructor(
    readonly status: number,
    message: string,
    cause?: unknown,
  ) {
    super(status === 404 ? 'NotFound' : 'ApiRequest', message, { cause });
  }
}
