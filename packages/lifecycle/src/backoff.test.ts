import { describe, expect, it } from 'vitest';
import { type BackoffState, nextRestartDelay } from './backoff.js';
import { DEFAULT_BACKOFF } from './types.js';

describe('nextRestartDelay', () => {
  it('restarts at once first, then waits 10 s doubling up to 300 s', () => {
    let state: BackoffState | undefined;
    const delays: number[] = [];
    let t = 0;
    for (let i = 0; i < 9; i++) {
      const { delayMs, next } = nextRestartDelay(state, t, DEFAULT_BACKOFF);
      delays.push(delayMs / 1000);
      state = next;
      t += delayMs + 1000;
    }
    expect(delays).toEqual([0, 10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('starts over after the container stayed up longer than twice the maximum', () => {
    const state = { backoffMs: 160_000, lastUpdateMs: 0 };
    expect(nextRestartDelay(state, 600_000, DEFAULT_BACKOFF).delayMs).toBe(160_000);
    expect(nextRestartDelay(state, 600_001, DEFAULT_BACKOFF)).toEqual({
      delayMs: 0,
      next: { backoffMs: 10_000, lastUpdateMs: 600_001 },
    });
  });
});
