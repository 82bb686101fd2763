/**
 * Waiters for a stream sequence: a writer waits until its informer has applied its own
 * write (read-your-writes). The consumer normally delivers a write in milliseconds; a
 * waiter still waiting after `lateAfterMs` asks for a direct read (`onLate`), and one
 * still waiting after its timeout resolves false.
 */
import type { Clock } from './clock.js';

/** The pending waiters of one informer. */
export interface SeqWaiters {
  /** Resolves true once `release` reports `seq` (or later) applied, false after `timeoutMs`. */
  wait(seq: number, timeoutMs: number): Promise<boolean>;
  /** Resolves every waiter for a sequence at or below `applied`. */
  release(applied: number): void;
  /** Whether some waiter waits for a sequence above `applied` (a writer waits for its own write). */
  waitingBeyond(applied: number): boolean;
}

/** What the waiters need. */
export interface SeqWaitersOptions {
  clock: Clock;
  /** How long a waiter waits for the consumer before `onLate` is called. */
  lateAfterMs: number;
  /** Called once per waiter still waiting after `lateAfterMs`. */
  onLate(): void;
}

interface Waiter {
  seq: number;
  resolve(ok: boolean): void;
  cancel(): void;
}

/** Creates an empty set of waiters. */
export function createSeqWaiters(o: SeqWaitersOptions): SeqWaiters {
  const waiters = new Set<Waiter>();

  function settle(w: Waiter, ok: boolean): void {
    if (!waiters.delete(w)) return;
    w.cancel();
    w.resolve(ok);
  }

  return {
    wait(seq, timeoutMs) {
      return new Promise((resolve) => {
        const w: Waiter = { seq, resolve, cancel: () => undefined };
        waiters.add(w);
        const cancelLate = o.clock.after(o.lateAfterMs, () => {
          if (waiters.has(w)) o.onLate();
        });
        const cancelTimeout = o.clock.after(timeoutMs, () => settle(w, false));
        w.cancel = () => {
          cancelLate();
          cancelTimeout();
        };
      });
    },
    release(applied) {
      for (const w of waiters) if (applied >= w.seq) settle(w, true);
    },
    waitingBeyond(applied) {
      for (const w of waiters) if (w.seq > applied) return true;
      return false;
    },
  };
}
