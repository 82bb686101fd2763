/**
 * Equality of the fields a controller owns, ignoring the representation noise that
 * carries no meaning in Kubernetes: key order, and absent vs undefined vs null vs empty
 * list or map (Go's nil and empty slices serialise differently but mean the same).
 */
import { isDeepStrictEqual } from 'node:util';

/** True when `a` and `b` mean the same object. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(normalize(a), normalize(b));
}

function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((v) => normalize(v) ?? null);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const n = normalize(v);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}
