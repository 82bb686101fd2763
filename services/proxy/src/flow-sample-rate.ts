/**
 * How many of a node's new service flows get a flow record, in both proxy modes. Each
 * recorded flow costs CPU (in nftables mode conntrack events, parsing and a record,
 * about 0.2 ms; in userspace mode the pick context, the record and its encoding), so
 * recording every flow of a connection storm would take a large share of a small
 * machine from the data plane. The recorder counts the followed flows each tick,
 * estimates the node's rate (each followed flow × the period it was followed with, over
 * a one-second window, or over one tick in a storm) and keeps the followed rate under
 * `maxPerSecond` by following one flow in a power-of-two period (the kernel's event mask
 * `numgen` in nftables mode, a random draw per connection in userspace mode,
 * followSampled): raised as soon as the rate is over, lowered when a lower period would
 * do for five seconds in a row, so a rate at a boundary does not flap. Records of sampled
 * flows carry the period as their weight, and every change is logged: recording samples
 * and says so instead of costing the data plane more.
 */
import type { Logger } from '@kemu/log';

/** The rate is looked at this often; a storm is sampled within a tick or two. */
export const TICK_MS = 100;
/** Ticks of the sliding window the rate is estimated over (one second). */
const WINDOW_TICKS = 1_000 / TICK_MS;
/** Ticks a lower period must be enough before the period is lowered (five seconds). */
export const HOLD_TICKS = 50;
/**
 * A single tick whose followed flows are above this many times the budget raises the period
 * without waiting for the window. Counted in followed flows, not in the rate they stand
 * for: at period N one tick's two or three followed flows are noise (Poisson), and taking
 * their rate × N as a storm ratcheted the period up (1024, 2048 for a 256 storm) until a
 * few records stood for the whole storm, each weighing thousands.
 */
const STORM_FACTOR = 4;

/** Largest sampling period: one flow in 2^15 (the nftables mode's conntrack mark holds its log2 in four bits). */
export const MAX_SAMPLE_EVERY = 2 ** 15;

/** The power of two at or above `n`, within 1 … MAX_SAMPLE_EVERY. */
export function samplePeriod(n: number): number {
  if (!(n > 1)) return 1;
  return Math.min(MAX_SAMPLE_EVERY, 2 ** Math.ceil(Math.log2(n)));
}

/** The period that keeps a node's `newFlowsPerSecond` under the budget, before hysteresis. */
export function wantedPeriod(newFlowsPerSecond: number, maxPerSecond: number): number {
  return samplePeriod(newFlowsPerSecond / maxPerSecond);
}

/** What the controller needs. */
export interface SampleRateOptions {
  maxPerSecond: number;
  /** Installs a new period where flows are picked (the kernel's event mask); absent when every() is read per flow. */
  apply?(every: number): Promise<void>;
  log: Logger;
}

/** A running controller. */
export interface SampleRate {
  /**
   * Counts one followed new flow, standing for `weight` flows: the period it was followed
   * with (default: the one in force; the kernel's events of a storm arrive after the period
   * changed, and their marks say which they were picked with).
   */
  onFollowed(weight?: number): void;
  /** The period in force now (1: every flow). */
  every(): number;
  stop(): void;
}

/** Starts the controller at period 1. */
export function startSampleRate(options: SampleRateOptions): SampleRate {
  const { log, maxPerSecond } = options;
  let every = 1;
  let followed = 0;
  /** The flows this tick's followed ones stand for. */
  let weighed = 0;
  // Followed flows of the last WINDOW_TICKS ticks, at the period each was followed with.
  const window: number[] = [];
  let calm = 0;
  let applying = false;

  function change(next: number, ratePerSecond: number): void {
    applying = true;
    window.length = 0;
    Promise.resolve(options.apply?.(next))
      .then(() => {
        const was = every;
        every = next;
        const fields = { every, was, newFlowsPerSecond: Math.round(ratePerSecond), maxPerSecond };
        if (every > 1) log.warn(fields, `flow recording samples: one new service flow in ${every} is recorded`);
        else log.info(fields, 'flow recording follows every flow again');
      })
      .catch((err: unknown) => log.warn({ err, every: next }, 'flow sampling period not applied'))
      .finally(() => {
        applying = false;
      });
  }

  const timer = setInterval(() => {
    const followedInTick = followed;
    const tick = weighed;
    followed = 0;
    weighed = 0;
    if (applying) return;
    window.push(tick);
    if (window.length > WINDOW_TICKS) window.shift();
    // Node-wide new flows per second: over the window, or this tick alone when it is a storm.
    const windowRate = (window.reduce((a, b) => a + b, 0) * 1000) / (window.length * TICK_MS);
    const tickRate = (tick * 1000) / TICK_MS;
    const storm = followedInTick > (STORM_FACTOR * maxPerSecond * TICK_MS) / 1000;
    const rate = storm ? Math.max(tickRate, windowRate) : windowRate;
    const wanted = wantedPeriod(rate, maxPerSecond);
    calm = wanted < every ? calm + 1 : 0;
    const raise = wanted > every && (storm || window.length === WINDOW_TICKS);
    if (raise || (wanted < every && calm >= HOLD_TICKS)) {
      calm = 0;
      change(wanted, rate);
    }
  }, TICK_MS);
  timer.unref();

  return {
    onFollowed(weight = every) {
      followed++;
      weighed += weight;
    },
    every: () => every,
    stop() {
      clearInterval(timer);
    },
  };
}

/**
 * Userspace mode's decision per new flow: a random one in `every()` is followed (random,
 * so round robin cannot line the followed flows up with one endpoint) and counted.
 * Returns the followed flow's weight, or 0 for a flow left out.
 */
export function followSampled(rate: SampleRate): () => number {
  return () => {
    const every = rate.every();
    if (every > 1 && Math.random() * every >= 1) return 0;
    rate.onFollowed();
    return every;
  };
}
