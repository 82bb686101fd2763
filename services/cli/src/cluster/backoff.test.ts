import { describe, expect, it } from 'vitest';
import { nextRestartDelay } from './backoff.js';

describe('nextRestartDelay', () => {
  it('starts at 1 s and doubles up to 30 s while runs are short', () => {
    const delays: number[] = [];
    let d: number | undefined;
    for (let i = 0; i < 8; i++) {
      d = nextRestartDelay(d, 500);
      delays.push(d);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('resets to 1 s after a run of 60 s', () => {
    expect(nextRestartDelay(30_000, 59_999)).toBe(30_000);
    expect(nextRestartDelay(30_000, 60_000)).toBe(1_000);
  });
});
