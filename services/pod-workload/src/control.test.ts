import { describe, expect, it } from 'vitest';
import { createControl } from './control.js';

describe('createControl', () => {
  it('is ready after the delay and fails health and readiness after failAfter', () => {
    let t = 0;
    const control = createControl({ readyDelaySeconds: 2, failAfterSeconds: 10, now: () => t });
    expect([control.isReady(), control.isHealthy()]).toEqual([false, true]);
    t = 2_000;
    expect([control.isReady(), control.isHealthy()]).toEqual([true, true]);
    t = 10_000;
    expect([control.isReady(), control.isHealthy()]).toEqual([false, false]);
  });

  it('lets explicit switches override the timers', () => {
    let t = 0;
    const control = createControl({ readyDelaySeconds: 0, failAfterSeconds: 1, now: () => t });
    control.setReady(false);
    expect(control.isReady()).toBe(false);
    control.setReady(true);
    t = 5_000;
    control.setHealthy(true);
    expect([control.isReady(), control.isHealthy()]).toEqual([true, true]);
  });
});
