/**
 * One copy of each short string value in the objects a view keeps. Decoding makes a new
 * string for every value of every record, so 3000 pods held 25 000 copies of "default",
 * 6000 of their ReplicaSet's uid, of "default-scheduler", "NoExecute", … : 23% of the
 * controller's live heap (8.9 of 38.5 MiB) were duplicate strings. A decoded object's
 * short strings are replaced by the pool's copy. The pool is bounded: once full it
 * starts over (values that repeat come back at once; unique ones, names and uids, are
 * what fills it), so it never holds more than POOL_MAX strings that no object needs.
 */

/** Strings longer than this are left alone (a message, an annotation: rarely repeated, costly to hash). */
const MAX_LENGTH = 64;
/** Strings the pool holds before it starts over. */
const POOL_MAX = 50_000;

let pool = new Map<string, string>();

function intern(s: string): string {
  if (s.length > MAX_LENGTH) return s;
  const known = pool.get(s);
  if (known !== undefined) return known;
  if (pool.size >= POOL_MAX) pool = new Map();
  pool.set(s, s);
  return s;
}

/** Replaces, in place, the short string values of a decoded value (plain objects and arrays) with pooled copies; returns it. */
export function internStrings<T>(value: T): T {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === 'string') value[i] = intern(v);
      else if (v !== null && typeof v === 'object') internStrings(v);
    }
  } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const o = value as Record<string, unknown>;
    for (const k in o) {
      const v = o[k];
      if (typeof v === 'string') o[k] = intern(v);
      else if (v !== null && typeof v === 'object') internStrings(v);
    }
  }
  return value;
}
