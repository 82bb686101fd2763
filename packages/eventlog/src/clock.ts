/**
 * The time the informer's parts read: now and timers, injected so that the follower,
 * catch-up, watchdog and sequence waiters run under a fake clock in unit tests. Timers
 * of the system clock are unref'd: an informer never keeps a process alive by itself.
 */

/** Cancels a timer; calling it after the timer fired does nothing. */
export type CancelTimer = () => void;

/** Now and timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms`. */
  after(ms: number, fn: () => void): CancelTimer;
  /** Calls `fn` every `ms` until cancelled. */
  every(ms: number, fn: () => void): CancelTimer;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
}

/** The real clock: Date.now and unref'd Node timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, ms).unref();
    }),
};
