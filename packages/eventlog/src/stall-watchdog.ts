/**
 * A stall watchdog. After a NATS cluster member dies, an ordered consumer can sit on a
 * replica that delivers nothing new while still answering pulls (seen with 2.10), so no
 * heartbeat is missed. When nothing arrived for `stallMs`, the events the log has after
 * the last applied one are read directly; when there were some, or a writer waits for
 * its own write, the consumer is replaced by a new one from the last applied sequence
 * (RELIABILITY.md 3.4). It looks every `stallMs / 2`, one check at a time.
 */
import type { Logger } from '@kemu/log';
import type { Clock } from './clock.js';

/** The watchdog of one informer. */
export interface StallWatchdog {
  /** Records that an event was applied now. */
  progress(): void;
  /** Runs one check now (the timer calls it; tests may too). */
  check(): Promise<void>;
  stop(): void;
}

/** What the watchdog watches and how it acts. */
export interface StallWatchdogOptions {
  clock: Clock;
  stallMs: number;
  log: Logger;
  /** The last applied sequence (for logs). */
  appliedSeq(): number;
  /** Reads missed events directly: how many were applied, undefined when the stream did not answer. */
  catchUp(): Promise<number | undefined>;
  /** Whether a writer waits for a write not applied yet. */
  waitingBeyond(): boolean;
  /** Whether the stream has events after the last applied one, asked when direct reads got no answer; undefined when it cannot tell. */
  streamAhead?(): Promise<boolean>;
  /** Replaces the consumer by one from the last applied sequence; false when that failed (the next check tries again). */
  replaceConsumer(): Promise<boolean>;
}

/** Starts the watchdog's timer. */
export function startStallWatchdog(o: StallWatchdogOptions): StallWatchdog {
  let lastProgressAt = o.clock.now();
  let stopped = false;
  let checking = false;

  async function check(): Promise<void> {
    if (stopped || o.clock.now() - lastProgressAt < o.stallMs) return;
    const applied = await o.catchUp();
    let behind = (applied ?? 0) > 0 || o.waitingBeyond();
    if (applied === undefined && !behind && o.streamAhead) behind = await o.streamAhead();
    if (!behind || stopped) {
      // Up to date as of now: look again only after another quiet stallMs.
      lastProgressAt = o.clock.now();
      return;
    }
    o.log.warn(
      { seq: o.appliedSeq(), stalledMs: o.clock.now() - lastProgressAt },
      'informer stalled; recreating its consumer',
    );
    if (await o.replaceConsumer()) lastProgressAt = o.clock.now();
  }

  const cancel = o.clock.every(o.stallMs / 2, () => {
    if (checking) return;
    checking = true;
    void check().finally(() => {
      checking = false;
    });
  });

  return {
    progress() {
      lastProgressAt = o.clock.now();
    },
    check,
    stop() {
      stopped = true;
      cancel();
    },
  };
}
