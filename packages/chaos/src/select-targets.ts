/** Picks the targets of one fault from the candidates, as Chaos Mesh's modes do. Pure; the random source is injected. */
import type { SelectionMode } from './experiment.js';

/** Returns `all`, one random candidate, a fixed count or a percentage (rounded down, at least one) of them. */
export function selectTargets<T>(
  candidates: readonly T[],
  mode: SelectionMode,
  value: number,
  random: () => number = Math.random,
): T[] {
  if (candidates.length === 0) return [];
  const count =
    mode === 'all'
      ? candidates.length
      : mode === 'one'
        ? 1
        : mode === 'fixed'
          ? Math.min(value, candidates.length)
          : Math.max(1, Math.floor((candidates.length * value) / 100));
  const pool = [...candidates];
  const picked: T[] = [];
  while (picked.length < count) {
    const i = Math.floor(random() * pool.length);
    picked.push(pool.splice(i, 1)[0] as T);
  }
  return picked;
}
