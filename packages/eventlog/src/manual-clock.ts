/**
 * A clock that moves only when told, for unit tests of the informer's parts: `advance`
 * fires the timers that fall due, in time order, and lets the promise jobs they start
 * run between them.
 */
import type { Clock } from './clock.js';

/** A Clock with `advance`. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing due timers; resolves once their promise jobs ran. */
  advance(ms: number): Promise<void>;
  /** Timers not yet fired or cancelled. */
  pending(): number;
}

interface Timer {
  at: number;
  fn: () => void;
  every?: number;
}

/** Creates a manual clock at `start` ms. */
export function createManualClock(start = 0): ManualClock {
  let now = start;
  const timers = new Set<Timer>();
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

  function add(t: Timer): () => void {
    timers.add(t);
    return () => {
      timers.delete(t);
    };
  }

  const clock: ManualClock = {
    now: () => now,
    after: (ms, fn) => add({ at: now + ms, fn }),
    every: (ms, fn) => add({ at: now + ms, fn, every: ms }),
    sleep: (ms) => new Promise((resolve) => clock.after(ms, resolve)),
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        await flush();
        let next: Timer | undefined;
        for (const t of timers) if (t.at <= until && (!next || t.at < next.at)) next = t;
        if (!next) break;
        now = next.at;
        if (next.every) next.at += next.every;
        else timers.delete(next);
        next.fn();
      }
      now = until;
      await flush();
    },
    pending: () => timers.size,
  };
  return clock;
}
