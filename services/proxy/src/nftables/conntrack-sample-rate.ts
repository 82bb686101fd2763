/**
 * How many of a node's new service flows the kernel follows for flow records. Each
 * followed flow costs the node its conntrack events, parsing and a record (about 0.2 ms
 * of CPU), so recording every flow of a connection storm would take a large share of a
 * small machine from the data plane. The source counts the followed flows each tick,
 * estimates the node's rate (followed × the period, over a one-second window, or over
 * one tick in a storm) and keeps the followed rate under `maxPerSecond` by following one
 * flow in a power-of-two period (the event mask's `numgen`): raised as soon as the rate
 * is over, lowered when a lower period would do for five seconds in a row, so a rate at
 * a boundary does not flap. Records of sampled
 * flows carry the period as their weight, and every change is logged: recording samples
 * and says so instead of costing the data plane more.
 */
import type { Logger } from '@kemu/log';
import { samplePeriod } from './conntrack-event-mask.js';

/** The rate is looked at this often; a storm is sampled within a tick or two. */
export const TICK_MS = 100;
/** Ticks of the sliding window the rate is estimated over (one second). */
const WINDOW_TICKS = 1_000 / TICK_MS;
/** Ticks a lower period must be enough before the period is lowered (five seconds). */
export const HOLD_TICKS = 50;
/** A single tick above this many times the budget raises the period without waiting for the window. */
const STORM_FACTOR = 4;

/** The period that keeps a node's `newFlowsPerSecond` under the budget, before hysteresis. */
export function wantedPeriod(newFlowsPerSecond: number, maxPerSecond: number): number {
  return samplePeriod(newFlowsPerSecond / maxPerSecond);
}

/** What the controller needs. */
export interface SampleRateOptions {
  maxPerSecond: number;
  /** Installs a new period in the kernel (the event mask). */
  apply(every: number): Promise<void>;
  log: Logger;
}

/** A running controller. */
export interface SampleRate {
  /** Counts one followed new flow. */
  onFollowed(): void;
  /** The period in the kernel now (1: every flow). */
  every(): number;
  stop(): void;
}

/** Starts the controller at period 1. */
export function startSampleRate(options: SampleRateOptions): SampleRate {
  const { log, maxPerSecond } = options;
  let every = 1;
  let followed = 0;
  // Followed flows of the last WINDOW_TICKS ticks, at the period each was followed with.
  const window: number[] = [];
  let calm = 0;
  let applying = false;

  function change(next: number, ratePerSecond: number): void {
    applying = true;
    window.length = 0;
    options
      .apply(next)
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
    const tick = followed * every;
    followed = 0;
    if (applying) return;
    window.push(tick);
    if (window.length > WINDOW_TICKS) window.shift();
    // Node-wide new flows per second: over the window, or this tick alone when it is a storm.
    const windowRate = (window.reduce((a, b) => a + b, 0) * 1000) / (window.length * TICK_MS);
    const tickRate = (tick * 1000) / TICK_MS;
    const storm = tickRate > STORM_FACTOR * maxPerSecond;
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
    onFollowed() {
      followed++;
    },
    every: () => every,
    stop() {
      clearInterval(timer);
    },
  };
}
