/**
 * A seeded pseudo-random generator for fuzz campaigns: the same seed gives the same
 * inputs, so a failure printed with its seed can be replayed (`KEMU_FUZZ_SEED=<n>`).
 * mulberry32: 32 bits of state, fast, good enough to pick inputs (not for secrets).
 */

/** Draws from one seeded sequence. */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
}

/** The seed of a campaign: `KEMU_FUZZ_SEED` when set (to replay one), else a fresh one. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.KEMU_FUZZ_SEED);
  return Number.isInteger(given) && given > 0 ? given >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}

/** A generator over `seed`. */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    seed,
    next,
    int,
    pick: <T>(items: readonly T[]) => items[int(items.length)] as T,
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
  };
}
