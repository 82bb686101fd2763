import { describe, expect, it } from 'vitest';
import { createManualClock } from './manual-clock.js';
import { createSeqWaiters } from './seq-waiters.js';

function setup() {
  const clock = createManualClock();
  let late = 0;
  const waiters = createSeqWaiters({ clock, lateAfterMs: 300, onLate: () => late++ });
  return { clock, waiters, late: () => late };
}

describe('createSeqWaiters', () => {
  it('resolves true once the sequence is released, without asking for a direct read', async () => {
    const { clock, waiters, late } = setup();
    const ok = waiters.wait(5, 5_000);
    waiters.release(4);
    await clock.advance(100);
    waiters.release(5);
    expect(await ok).toBe(true);
    await clock.advance(10_000);
    expect(late()).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('asks for a direct read once a waiter is late and resolves false at its timeout', async () => {
    const { clock, waiters, late } = setup();
    let result: boolean | undefined;
    void waiters.wait(7, 1_000).then((r) => (result = r));
    await clock.advance(299);
    expect(late()).toBe(0);
    await clock.advance(1);
    expect(late()).toBe(1);
    await clock.advance(699);
    expect(result).toBeUndefined();
    await clock.advance(1);
    expect(result).toBe(false);
    waiters.release(7);
    expect(result).toBe(false);
  });

  it('says whether a waiter waits beyond the applied sequence', async () => {
    const { clock, waiters } = setup();
    expect(waiters.waitingBeyond(0)).toBe(false);
    const ok = waiters.wait(3, 1_000);
    expect(waiters.waitingBeyond(2)).toBe(true);
    expect(waiters.waitingBeyond(3)).toBe(false);
    waiters.release(9);
    expect(await ok).toBe(true);
    expect(waiters.waitingBeyond(2)).toBe(false);
    await clock.advance(0);
  });
});
