import { createLogger } from '@kemu/log';
import { describe, expect, it } from 'vitest';
import { createManualClock } from './manual-clock.js';
import { startStallWatchdog } from './stall-watchdog.js';

const log = createLogger({ component: 'test', level: 'silent' });

function setup(o: { catchUp?: number | undefined; waiting?: boolean; ahead?: boolean; replaceOk?: boolean } = {}) {
  const clock = createManualClock();
  const calls = { catchUp: 0, replace: 0, ahead: 0 };
  const state = { catchUp: o.catchUp, waiting: o.waiting ?? false, replaceOk: o.replaceOk ?? true };
  const watchdog = startStallWatchdog({
    clock,
    stallMs: 2_000,
    log,
    appliedSeq: () => 10,
    catchUp: async () => {
      calls.catchUp++;
      return state.catchUp;
    },
    waitingBeyond: () => state.waiting,
    streamAhead:
      o.ahead === undefined
        ? undefined
        : async () => {
            calls.ahead++;
            return o.ahead as boolean;
          },
    replaceConsumer: async () => {
      calls.replace++;
      return state.replaceOk;
    },
  });
  return { clock, watchdog, calls, state };
}

describe('startStallWatchdog', () => {
  it('does nothing while events keep arriving', async () => {
    const { clock, watchdog, calls } = setup({ catchUp: 1 });
    for (let i = 0; i < 10; i++) {
      await clock.advance(1_500);
      watchdog.progress();
    }
    expect(calls).toEqual({ catchUp: 0, replace: 0, ahead: 0 });
    watchdog.stop();
  });

  it('reads directly after a quiet stallMs and keeps the consumer when nothing was missed', async () => {
    const { clock, watchdog, calls } = setup({ catchUp: 0 });
    await clock.advance(1_999);
    expect(calls.catchUp).toBe(0);
    await clock.advance(1);
    expect(calls.catchUp).toBe(1);
    expect(calls.replace).toBe(0);
    // Up to date: the next look comes only after another quiet stallMs.
    await clock.advance(1_000);
    expect(calls.catchUp).toBe(1);
    await clock.advance(1_000);
    expect(calls.catchUp).toBe(2);
    watchdog.stop();
  });

  it('replaces the consumer when direct reads found missed events', async () => {
    const { clock, watchdog, calls } = setup({ catchUp: 3 });
    await clock.advance(2_000);
    expect(calls.replace).toBe(1);
    watchdog.stop();
    await clock.advance(10_000);
    expect(calls.replace).toBe(1);
  });

  it('replaces the consumer when a writer waits for its own write', async () => {
    const { clock, watchdog, calls } = setup({ catchUp: 0, waiting: true });
    await clock.advance(2_000);
    expect(calls.replace).toBe(1);
    watchdog.stop();
  });

  it('asks the stream when direct reads got no answer', async () => {
    const behind = setup({ catchUp: undefined, ahead: true });
    await behind.clock.advance(2_000);
    expect(behind.calls).toEqual({ catchUp: 1, ahead: 1, replace: 1 });
    behind.watchdog.stop();
    const current = setup({ catchUp: undefined, ahead: false });
    await current.clock.advance(2_000);
    expect(current.calls).toEqual({ catchUp: 1, ahead: 1, replace: 0 });
    current.watchdog.stop();
  });

  it('tries again at the next tick when the consumer could not be replaced', async () => {
    const { clock, watchdog, calls, state } = setup({ catchUp: 2, replaceOk: false });
    await clock.advance(2_000);
    expect(calls.replace).toBe(1);
    await clock.advance(1_000);
    expect(calls.replace).toBe(2);
    state.replaceOk = true;
    await clock.advance(1_000);
    expect(calls.replace).toBe(3);
    // Replaced: quiet again for stallMs before the next try.
    await clock.advance(1_000);
    expect(calls.replace).toBe(3);
    watchdog.stop();
  });
});
