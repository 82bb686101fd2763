import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMemoryHog } from './memory-hog.js';

describe('startMemoryHog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('allocates everything at once without a rate', () => {
    const seen: number[] = [];
    const stop = startMemoryHog({ totalMb: 3 }, (mb) => seen.push(mb));
    expect(seen).toEqual([3]);
    stop();
  });

  it('grows by the rate each second up to the total', async () => {
    const seen: number[] = [];
    const stop = startMemoryHog({ totalMb: 5, rateMb: 2 }, (mb) => seen.push(mb));
    expect(seen).toEqual([2]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen).toEqual([2, 4, 5]);
    stop();
  });
});
