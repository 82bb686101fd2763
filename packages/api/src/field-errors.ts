/**
 * Builders for field-level causes, worded as apimachinery's field.Error prints them:
 * the cause message is the part after the field path ("Invalid value: 0: must be …").
 */
import type { StatusCause } from './errors.js';

/** A value already rendered the way Go's `%#v` would print it (structs, slices, maps). */
export class GoValue {
  constructor(readonly text: string) {}
}

/** Renders a bad value as field.Error does: numbers and bools bare, strings quoted, others Go-ish. */
export function formatGoValue(value: unknown): string {
  if (value instanceof GoValue) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
  }
  if (typeof value === 'object' && Object.values(value).every((v) => typeof v === 'string')) {
    const entries = Object.entries(value as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

function withDetail(head: string, detail?: string): string {
  return detail ? `${head}: ${detail}` : head;
}

/** FieldValueRequired: `Required value[: detail]`. */
export function required(field: string, detail?: string): StatusCause {
  return { reason: 'FieldValueRequired', message: withDetail('Required value', detail), field };
}

/** FieldValueInvalid: `Invalid value: <v>: detail`. */
export function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: withDetail(`Invalid value: ${formatGoValue(value)}`, detail), field };
}

/** FieldValueNotSupported: `Unsupported value: "X": supported values: "A", "B"`. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  const detail = supported.length
    ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`
    : undefined;
  return {
    reason: 'FieldValueNotSupported',
    message: withDetail(`Unsupported value: ${formatGoValue(value)}`, detail),
    field,
  };
}

/** FieldValueDuplicate: `Duplicate value: <v>`. */
export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${formatGoValue(value)}`, field };
}

/** FieldValueForbidden: `Forbidden[: detail]`. */
export function forbidden(field: string, detail?: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail), field };
}

/** FieldValueNotFound: `Not found: <v>`. */
export function notFoundValue(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueNotFound', message: `Not found: ${formatGoValue(value)}`, field };
}

/** FieldValueTooLong: `Too long: must have at most N bytes`. */
export function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: must have at most ${max} bytes`, field };
}

/** One Invalid cause per message, as the Go validators loop over `IsX(value)` results. */
export function invalidEach(field: string, value: unknown, messages: readonly string[]): StatusCause[] {
  return messages.map((m) => invalidValue(field, value, m));
}
