import { createLogger } from '@kemu/log';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  HOLD_TICKS,
  MAX_SAMPLE_EVERY,
  TICK_MS,
  followSampled,
  samplePeriod,
  startSampleRate,
  wantedPeriod,
} from './flow-sample-rate.js';

const log = createLogger({ component: 'test', level: 'silent' });

describe('samplePeriod', () => {
  it('rounds periods up to powers of two within bounds', () => {
    expect([0, 1, 2, 3, 5, 1000, 1e9].map(samplePeriod)).toEqual([1, 1, 2, 4, 8, 1024, MAX_SAMPLE_EVERY]);
  });
});

describe('followSampled', () => {
  it('follows every flow at period 1 and a random one in N at period N, counting the followed', () => {
    let every = 1;
    let followed = 0;
    const follow = followSampled({ every: () => every, onFollowed: () => void followed++, stop: () => undefined });
    expect(Array.from({ length: 100 }, follow)).toEqual(Array(100).fill(1));
    expect(followed).toBe(100);
    every = 8;
    followed = 0;
    const weights = Array.from({ length: 8000 }, follow);
    expect(new Set(weights)).toEqual(new Set([0, 8]));
    // 1000 expected; ±6 standard deviations (about 30 each).
    expect(followed).toBeGreaterThan(820);
    expect(followed).toBeLessThan(1180);
    expect(weights.filter((w) => w === 8)).toHaveLength(followed);
  });
});

describe('wantedPeriod', () => {
  it('keeps the followed rate under the budget with a power-of-two period', () => {
    expect(wantedPeriod(100, 250)).toBe(1);
    expect(wantedPeriod(1000, 250)).toBe(4);
    expect(wantedPeriod(1100, 250)).toBe(8);
    // 140 followed a second at period 8 is a node rate of 1120: still 8.
    expect(wantedPeriod(1120, 250)).toBe(8);
    expect(wantedPeriod(160, 250)).toBe(1);
  });
});

describe('startSampleRate', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('raises the period within a tick of a storm, lowers it only after a calm hold, and applies each change', async () => {
    const applied: number[] = [];
    const rate = startSampleRate({ maxPerSecond: 100, apply: async (every) => void applied.push(every), log });
    const tick = async (followed: number) => {
      for (let i = 0; i < followed; i++) rate.onFollowed();
      await vi.advanceTimersByTimeAsync(TICK_MS);
    };
    // 50 a second, under the budget of 100: every flow.
    for (let i = 0; i < 20; i++) await tick(5);
    expect(rate.every()).toBe(1);
    // 70 in one tick: 700 a second, a storm.
    await tick(70);
    expect(rate.every()).toBe(8);
    // The storm ends: the period stays for HOLD_TICKS - 1 ticks, then drops back.
    for (let i = 1; i < HOLD_TICKS; i++) await tick(0);
    expect(rate.every()).toBe(8);
    await tick(0);
    expect(rate.every()).toBe(1);
    expect(applied).toEqual([8, 1]);
    rate.stop();
  });

  it('holds the period of a steady storm through the noise of its few followed flows per tick', async () => {
    const applied: number[] = [];
    const rate = startSampleRate({ maxPerSecond: 20, apply: async (every) => void applied.push(every), log });
    const tick = async (followed: number) => {
      for (let i = 0; i < followed; i++) rate.onFollowed();
      await vi.advanceTimersByTimeAsync(TICK_MS);
    };
    // 3600 a second against 20: one in 256 (3600 / 20 = 180, rounded up).
    await tick(360);
    expect(rate.every()).toBe(256);
    // The same storm seen through the period: 1.4 followed flows a tick on average, 3 or 4 in some.
    for (let round = 0; round < 10; round++) for (const n of [1, 2, 0, 3, 1, 2, 1, 0, 4, 0]) await tick(n);
    expect(rate.every()).toBe(256);
    // A storm four times the budget in followed flows raises it again at once.
    await tick(9);
    expect(rate.every()).toBeGreaterThan(256);
    expect(applied).toHaveLength(2);
    rate.stop();
  });

  it('samples a steady rate over the budget once a window of it is seen (no apply: userspace mode)', async () => {
    const rate = startSampleRate({ maxPerSecond: 100, log });
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 25; j++) rate.onFollowed();
      await vi.advanceTimersByTimeAsync(TICK_MS);
    }
    expect(rate.every()).toBe(1);
    for (let j = 0; j < 25; j++) rate.onFollowed();
    await vi.advanceTimersByTimeAsync(TICK_MS);
    // 250 a second against 100: one in four.
    expect(rate.every()).toBe(4);
    rate.stop();
  });

  it('keeps the period it has when the kernel refuses a new one', async () => {
    const rate = startSampleRate({ maxPerSecond: 10, apply: () => Promise.reject(new Error('nft failed')), log });
    for (let i = 0; i < 100; i++) rate.onFollowed();
    await vi.advanceTimersByTimeAsync(TICK_MS);
    expect(rate.every()).toBe(1);
    rate.stop();
  });
});
