/**
 * Restart backoff of supervised components, as systemd restarts a kubelet: 1 s, doubling
 * up to 30 s, back to 1 s once a run lasted 60 s.
 */

/** Backoff parameters in milliseconds. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A run at least this long resets the delay to `initialMs`. */
  resetAfterMs: number;
}

/** The default policy: 1 s doubling to 30 s, reset after 60 s up. */
export const defaultBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/** Delay before the next restart, given the previous delay (undefined = none yet) and how long the last run lasted. */
export function nextRestartDelay(
  previousMs: number | undefined,
  uptimeMs: number,
  policy: BackoffPolicy = defaultBackoff,
): number {
  if (previousMs === undefined || uptimeMs >= policy.resetAfterMs) return policy.initialMs;
  return Math.min(previousMs * 2, policy.maxMs);
}
