/**
 * API errors as Kubernetes returns them: each carries the metav1.Status the apiserver
 * sends, so kubectl prints the same text it prints for a real cluster.
 */
import type { Status } from './types.js';

/** One field-level reason of an Invalid error. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** An error with the Status to send; `reason` is the stable code callers branch on. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? 'error');
  }
  get code(): number {
    return this.status.code ?? 500;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

function failure(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new ApiError(status);
}

/** `<resource>[.<group>]`, as Kubernetes names a resource in messages. */
function qualified(resource: string, group = ''): string {
  return group ? `${resource}.${group}` : resource;
}

/** 404: `pods "x" not found`. */
export function notFound(resource: string, name: string, group = ''): ApiError {
  return failure(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

/** 409 AlreadyExists: `services "x" already exists`. */
export function alreadyExists(resource: string, name: string, group = ''): ApiError {
  return failure(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

/** 409 Conflict on a stale resourceVersion. */
export function conflict(
  resource: string,
  name: string,
  group = '',
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

/** 422 Invalid with field causes; kubectl prints `The Kind "name" is invalid: field: message`. */
export function invalid(kind: string, name: string, causes: StatusCause[], group = ''): ApiError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  // field.ErrorList.ToAggregate(): one error bare, several in brackets.
  const text = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return failure(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${text}`, {
    name,
    group: group || undefined,
    kind,
    causes,
  });
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(
  message = 'the server does not allow this method on the requested resource',
): ApiError {
  return failure(405, 'MethodNotAllowed', message);
}

/** 410 Expired, for a watch from a resourceVersion the server no longer holds. */
export function expired(message: string): ApiError {
  return failure(410, 'Expired', message);
}

/** 401 Unauthorized. */
export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

/** 500 InternalError. */
export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

/** 503 ServiceUnavailable, while the apiserver's view is not synced yet. */
export function unavailable(message: string): ApiError {
  return failure(503, 'ServiceUnavailable', message);
}

/** 422 for a JSON patch that cannot be applied; kubectl prints `The request is invalid: …` and the cause holds the patch library's reason. */
export function patchNotApplicable(serverMessage: string): ApiError {
  return failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message: serverMessage }],
  });
}
