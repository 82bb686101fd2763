/**
 * Strict decoding against the kind schemas: unknown fields (for `fieldValidation=Strict`)
 * and JSON type mismatches, reported with the apiserver's 400 wording
 * `<Kind> in version "v1" cannot be handled as a <Kind>: …`.
 */
import { type ApiError, badRequest } from './errors.js';
import { isQuantity, quantityFormatMessage } from './quantity.js';
import { type Schema, schemas } from './schema.js';
import type { KubeObject } from './types.js';

function goTypeName(s: Schema): string {
  if (typeof s === 'string')
    return (
      (
        {
          quantity: 'resource.Quantity',
          intOrString: 'intstr.IntOrString',
          any: 'interface {}',
          bytes: '[]uint8',
        } as Record<string, string>
      )[s] ?? s
    );
  if ('struct' in s) return `v1.${s.struct}`;
  if ('array' in s) return `[]${goTypeName(s.array)}`;
  return s.map === 'quantity' ? 'v1.ResourceList' : `map[string]${goTypeName(s.map)}`;
}

/** Where Go's base64.StdEncoding stops on `s` (it skips CR and LF), or undefined for valid base64. */
export function illegalBase64At(s: string): number | undefined {
  const text = s.replace(/[\r\n]/g, '');
  const bad = text.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return bad;
  const pad = text.indexOf('=');
  if (pad >= 0 && (!/^=*$/.test(text.slice(pad)) || text.length - pad > 2)) return pad;
  if (text.length % 4 !== 0) return text.length - (text.length % 4);
  return undefined;
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return `number ${v}`;
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : 'string';
}

interface Walk {
  unknown: string[];
  typeError?: string;
}

const int32 = (v: number): boolean => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;

function leafOk(s: Schema, v: unknown): boolean {
  switch (s) {
    case 'string':
      return typeof v === 'string';
    case 'bool':
      return typeof v === 'boolean';
    case 'int32':
      return typeof v === 'number' && int32(v);
    case 'int64':
      return typeof v === 'number' && Number.isInteger(v);
    case 'float64':
      return typeof v === 'number';
    case 'intOrString':
      return typeof v === 'string' || (typeof v === 'number' && int32(v));
    case 'quantity':
      return typeof v === 'string' || typeof v === 'number';
    case 'bytes':
      return typeof v === 'string';
    default:
      return true;
  }
}

function walk(s: Schema, v: unknown, path: string, goPath: string, struct: string, out: Walk): void {
  if (v === null || v === undefined || s === 'any' || out.typeError) return;
  const mismatch = (): void => {
    const kind = jsonKind(v);
    const numeric = s === 'int32' || s === 'int64' || s === 'intOrString';
    out.typeError = `json: cannot unmarshal ${kind.startsWith('number') && !numeric ? 'number' : kind} into Go struct field ${struct}.${goPath} of type ${goTypeName(s)}`;
  };
  if (typeof s === 'string') {
    if (!leafOk(s, v)) return mismatch();
    if (s === 'quantity' && !isQuantity(v)) out.typeError = quantityFormatMessage;
    if (s === 'bytes') {
      const at = illegalBase64At(String(v));
      if (at !== undefined) out.typeError = `illegal base64 data at input byte ${at}`;
    }
    return;
  }
  if ('array' in s) {
    if (!Array.isArray(v)) return mismatch();
    v.forEach((item, i) => walk(s.array, item, `${path}[${i}]`, goPath, struct, out));
  } else if ('map' in s) {
    if (typeof v !== 'object' || Array.isArray(v)) return mismatch();
    for (const [k, item] of Object.entries(v)) walk(s.map, item, `${path}[${k}]`, goPath, struct, out);
  } else {
    if (typeof v !== 'object' || Array.isArray(v)) return mismatch();
    for (const [k, item] of Object.entries(v)) {
      const field = s.fields[k];
      const p = path ? `${path}.${k}` : k;
      if (field === undefined) out.unknown.push(p);
      else walk(field, item, p, goPath ? `${goPath}.${k}` : k, s.struct, out);
    }
  }
}

function inspect(obj: KubeObject): Walk {
  const out: Walk = { unknown: [] };
  const s = schemas[obj.kind];
  if (s) walk(s, obj, '', '', obj.kind, out);
  return out;
}

/** Paths of fields the kind's schema does not know (`spec.foo`, `spec.ports[0].bar`); [] for kinds without a schema. */
export function findUnknownFields(obj: KubeObject): string[] {
  return inspect(obj).unknown;
}

/** The first JSON type mismatch, worded as Go's decoder words it, or undefined. */
export function findTypeError(obj: KubeObject): string | undefined {
  return inspect(obj).typeError;
}

/** 400: `<Kind> in version "<v>" cannot be handled as a <Kind>: <message>`. */
export function decodingError(kind: string, version: string, message: string): ApiError {
  return badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${message}`);
}

/**
 * 400 for fieldValidation=Strict: `… strict decoding error: duplicate field "spec.a", unknown field "spec.foo"`
 * (duplicates first, as the apiserver's decoder reports them).
 */
export function strictDecodingError(
  kind: string,
  version: string,
  unknownFields: readonly string[],
  duplicateFields: readonly string[] = [],
): ApiError {
  const problems = [
    ...duplicateFields.map((f) => `duplicate field ${JSON.stringify(f)}`),
    ...unknownFields.map((f) => `unknown field ${JSON.stringify(f)}`),
  ];
  return decodingError(kind, version, `strict decoding error: ${problems.join(', ')}`);
}

/** Throws the 400 the apiserver gives when decoding `obj` fails: a type mismatch always, unknown fields only when `strict`. */
export function checkDecodable(obj: KubeObject, strict: boolean): void {
  const version = (obj.apiVersion ?? '').split('/').pop() ?? '';
  const { unknown, typeError } = inspect(obj);
  if (typeError) throw decodingError(obj.kind, version, typeError);
  if (strict && unknown.length) throw strictDecodingError(obj.kind, version, unknown);
}
