/**
 * Equality of the fields a controller owns, ignoring the representation noise that
 * carries no meaning in Kubernetes: key order, and absent vs undefined vs null vs empty
 * list or map (Go's nil and empty slices serialise differently but mean the same).
 * Compared in one walk without building normalised copies: the endpoint controllers
 * compare slices and Endpoints of thousands of addresses on every sync.
 */

/** True when `a` and `b` mean the same object. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b && a !== 0) return true;
  const absentA = isAbsent(a);
  const absentB = isAbsent(b);
  if (absentA || absentB) return absentA && absentB;
  if (typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b);
  const arrayA = Array.isArray(a);
  if (arrayA !== Array.isArray(b)) return false;
  if (arrayA) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!semanticEqual(x[i], y[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of Object.keys(x)) if (!semanticEqual(x[k], y[k])) return false;
  for (const k of Object.keys(y)) if (!Object.hasOwn(x, k) && !isAbsent(y[k])) return false;
  return true;
}

/** What normalises to nothing: null, undefined, an empty list, a map of nothing but such values. */
function isAbsent(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.length === 0;
  for (const k of Object.keys(value)) if (!isAbsent((value as Record<string, unknown>)[k])) return false;
  return true;
}
