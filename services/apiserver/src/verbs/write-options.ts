/**
 * Options shared by every write (create, update, patch, delete) and the checks they
 * share: the body's kind and apiVersion, unknown fields under `fieldValidation`, and the
 * event log's failures turned into Status replies.
 */
import {
  ApiError,
  type KubeObject,
  type ResourceType,
  apiVersionOf,
  badRequest,
  conflict,
  decodingError,
  findTypeError,
  findUnknownFields,
  strictDecodingError,
} from '@kemu/api';
import { AppendUnknownError, ConflictError } from '@kemu/eventlog';

/** How unknown fields are handled: refused, reported in a Warning header, or ignored. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Per-request write options. */
export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Collected `Warning:` header texts. */
  warnings: string[];
  /** Keys the request body held twice (JSON), by path. */
  duplicateFields?: string[];
}

/** Reads `fieldValidation` (default Warn, as kube-apiserver's default). */
export function fieldValidationParam(value: string | null): FieldValidation {
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(
    `fieldValidation parameter unsupported: ${JSON.stringify(value)}; must be one of Ignore, Strict, or Warn`,
  );
}

/** Checks that a decoded body is an object of `type` and fills in a missing kind/apiVersion. */
export function asObjectOf(type: ResourceType, body: unknown): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(
      `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type struct`,
    );
  }
  const obj = body as KubeObject;
  const apiVersion = apiVersionOf(type);
  if (obj.apiVersion && obj.apiVersion !== apiVersion) {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`,
    );
  }
  if (obj.kind && obj.kind !== type.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${type.kind})`);
  }
  const meta = obj.metadata;
  if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta))) {
    throw badRequest(
      `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal into Go struct field ${type.kind}.metadata of type v1.ObjectMeta`,
    );
  }
  return { ...obj, apiVersion, kind: type.kind, metadata: { ...(meta ?? {}) } as KubeObject['metadata'] };
}

/** Refuses fields of the wrong JSON type (400), then applies `fieldValidation`: 400 under Strict, a warning per field under Warn. */
export function checkUnknownFields(type: ResourceType, obj: KubeObject, options: WriteOptions): void {
  const typeError = findTypeError(obj);
  if (typeError) throw decodingError(type.kind, type.version, typeError);
  if (options.fieldValidation === 'Ignore') return;
  const unknown = findUnknownFields(obj);
  const duplicates = options.duplicateFields ?? [];
  if (unknown.length === 0 && duplicates.length === 0) return;
  if (options.fieldValidation === 'Strict') throw strictDecodingError(type.kind, type.version, unknown, duplicates);
  for (const f of duplicates) options.warnings.push(`duplicate field ${JSON.stringify(f)}`);
  for (const f of unknown) options.warnings.push(`unknown field ${JSON.stringify(f)}`);
}

/** Turns an event-log failure of a write into the Status to send. */
export function writeFailure(err: unknown, type: ResourceType, name: string): unknown {
  if (err instanceof ApiError) return err;
  if (err instanceof ConflictError) return conflict(type.resource, name, type.group);
  if (err instanceof AppendUnknownError) {
    return new ApiError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
      reason: 'Timeout',
      details: {},
      code: 504,
    });
  }
  return err;
}
