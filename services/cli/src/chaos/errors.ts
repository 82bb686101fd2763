/** Failures of chaos experiments, each with a stable code. */
import { CliError } from '../errors.js';

/** The experiment file is not valid; names the field. */
export class ExperimentInvalidError extends CliError {
  override readonly name = 'ExperimentInvalidError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super('ExperimentInvalid', `invalid experiment: ${field}: ${detail}`);
  }
}

/** A fault kind this machine cannot inject (e.g. no sch_netem); raised before the run starts. */
export class FaultUnsupportedError extends CliError {
  override readonly name = 'FaultUnsupportedError';
  constructor(action: string, why: string) {
    super('FaultUnsupported', `cannot inject ${action} on this machine: ${why}`, { exitCode: 3 });
  }
}

/** A fault could not be injected or undone. */
export class FaultFailedError extends CliError {
  override readonly name = 'FaultFailedError';
  constructor(what: string, options?: { cause?: unknown }) {
    super('FaultFailed', what, options);
  }
}

/** No target matched the selector. */
export class NoTargetError extends CliError {
  override readonly name = 'NoTargetError';
  constructor(what: string) {
    super('NoTarget', `no target matches: ${what}`);
  }
}
