import { describe, expect, it } from 'vitest';
import { createGcGrace } from './gc-grace.js';

describe('createGcGrace', () => {
  it('lets a dependent be collected only after it has been seen without owner for the grace', () => {
    const grace = createGcGrace(2_000);
    expect(grace.remainingMs('a', 10_000)).toBe(2_000);
    expect(grace.remainingMs('a', 11_500)).toBe(500);
    expect(grace.remainingMs('a', 12_000)).toBe(0);
    expect(grace.remainingMs('b', 12_000)).toBe(2_000);
  });

  it('starts the clock again after forget', () => {
    const grace = createGcGrace(2_000);
    grace.remainingMs('a', 0);
    grace.forget('a');
    expect(grace.remainingMs('a', 5_000)).toBe(2_000);
  });
});
