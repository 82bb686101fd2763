import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { semanticEqual } from './semantic-equal.js';

// The definition: both sides normalised (absent, null, [] and maps of nothing dropped), then compared deeply.
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

// A small deterministic generator of JSON-like values rich in nulls, empties and near-duplicates.
function generator(seed: number) {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const value = (depth: number): unknown => {
    const r = next();
    if (depth === 0 || r < 0.3) return [null, undefined, 0, 1, 'a', 'b', true, false][Math.floor(next() * 8)];
    if (r < 0.6) return Array.from({ length: Math.floor(next() * 3) }, () => value(depth - 1));
    const out: Record<string, unknown> = {};
    for (const k of ['x', 'y', 'z']) if (next() < 0.5) out[k] = value(depth - 1);
    return out;
  };
  return value;
}

describe('semanticEqual', () => {
  it('ignores key order and absent, null, empty list or map', () => {
    expect(semanticEqual({ a: 1, b: [] }, { a: 1 })).toBe(true);
    expect(semanticEqual({ a: { b: null } }, {})).toBe(true);
    expect(semanticEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(semanticEqual([{ a: 1 }, {}], [{ a: 1 }, null])).toBe(true);
    expect(semanticEqual([1], [1, null])).toBe(false);
    expect(semanticEqual({ a: '1' }, { a: 1 })).toBe(false);
    expect(semanticEqual({ 0: 'x' }, ['x'])).toBe(false);
  });

  it('agrees with comparing normalised copies on generated values', () => {
    const value = generator(7);
    let equal = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = value(3);
      const b = i % 3 === 0 ? structuredClone(a) : value(3);
      const want = isDeepStrictEqual(normalize(a), normalize(b));
      if (want) equal++;
      expect(semanticEqual(a, b), JSON.stringify([a, b])).toBe(want);
    }
    expect(equal).toBeGreaterThan(1000);
  });
});
