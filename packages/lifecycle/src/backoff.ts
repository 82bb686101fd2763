/**
 * CrashLoopBackOff as the kubelet computes it (flowcontrol.Backoff keyed per container):
 * the first restart is immediate, then the wait starts at `initialMs` and doubles up to
 * `maxMs`; a container that stayed up longer than twice the maximum starts over.
 */
import type { BackoffPolicy } from './types.js';

/** The backoff entry of one container: current step and when it was last advanced. */
export interface BackoffState {
  backoffMs: number;
  lastUpdateMs: number;
}

/** Decides how long to wait before restarting a container that finished at `finishedAtMs`. */
export function nextRestartDelay(
  previous: BackoffState | undefined,
  finishedAtMs: number,
  policy: BackoffPolicy,
): { delayMs: number; next: BackoffState } {
  if (!previous || finishedAtMs - previous.lastUpdateMs > 2 * policy.maxMs) {
    return { delayMs: 0, next: { backoffMs: policy.initialMs, lastUpdateMs: finishedAtMs } };
  }
  return {
    delayMs: previous.backoffMs,
    next: { backoffMs: Math.min(previous.backoffMs * 2, policy.maxMs), lastUpdateMs: finishedAtMs },
  };
}
