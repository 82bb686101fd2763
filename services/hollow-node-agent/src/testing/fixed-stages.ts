import type { HollowStages } from '../hollow-stages.js';

/** Stages with fixed delays (jitter 0) and no failures unless a test sets them: sandbox 100, start 200, ready 300 (Ready at 600 ms), stop 50. */
export const fixedStages = (over: Partial<HollowStages> = {}): HollowStages => ({
  sandbox: { delayMs: 100, jitterMs: 0, failureRate: 0 },
  start: { delayMs: 200, jitterMs: 0, failureRate: 0 },
  ready: { delayMs: 300, jitterMs: 0, failureRate: 0 },
  complete: { delayMs: 1_000, jitterMs: 0, failureRate: 0 },
  stop: { delayMs: 50, jitterMs: 0, failureRate: 0 },
  ...over,
});
