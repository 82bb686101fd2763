/** Failures of the event log, each with a stable code that callers branch on. */

/** A compare-and-set write lost: the object changed since the writer read it. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  readonly code = 'Conflict';
  constructor(
    readonly subject: string,
    readonly expectedSeq: number,
    options?: ErrorOptions,
  ) {
    super(`object at ${subject} changed since sequence ${expectedSeq}`, options);
  }
}

/** A message in the stream could not be decoded as a kemu event. */
export class EventDecodeError extends Error {
  override name = 'EventDecodeError';
  readonly code = 'EventDecode';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The log did not acknowledge a write in time; the write may or may not be stored. */
export class AppendUnknownError extends Error {
  override name = 'AppendUnknownError';
  readonly code = 'AppendUnknown';
  constructor(subject: string, options?: ErrorOptions) {
    super(`no acknowledgement for the write to ${subject}`, options);
  }
}

/** A NATS credential file could not be used: missing, unreadable or not a user seed. */
export class CredentialError extends Error {
  override name = 'CredentialError';
  readonly code = 'Credential';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The NATS server refused the write: this process's credential may not publish there. */
export class WriteForbiddenError extends Error {
  override name = 'WriteForbiddenError';
  readonly code = 'WriteForbidden';
  constructor(
    readonly subject: string,
    options?: ErrorOptions,
  ) {
    super(`this credential may not write ${subject}`, options);
  }
}

/** Whether an error (or one of its causes) is the server's permissions violation. */
export function isPermissionViolation(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === 'PermissionViolationError' || /permissions violation/i.test(e.message)) return true;
  }
  return false;
}
