/**
 * The switches behind /health and /ready: time-based (a readiness delay, a failure after
 * N seconds) until someone sets them through /control, after which the set value wins.
 */

/** Health and readiness of the workload. */
export interface Control {
  isReady(): boolean;
  isHealthy(): boolean;
  setReady(value: boolean): void;
  setHealthy(value: boolean): void;
}

/** Options of `createControl`; `now` returns milliseconds. */
export interface ControlOptions {
  readyDelaySeconds: number;
  failAfterSeconds: number | undefined;
  now?: () => number;
}

/** Creates the switches, counting time from now. */
export function createControl(options: ControlOptions): Control {
  const now = options.now ?? Date.now;
  const started = now();
  let ready: boolean | undefined;
  let healthy: boolean | undefined;
  const failed = () => options.failAfterSeconds !== undefined && now() - started >= options.failAfterSeconds * 1000;
  const isHealthy = () => healthy ?? !failed();
  return {
    isHealthy,
    isReady: () => ready ?? (now() - started >= options.readyDelaySeconds * 1000 && !failed()),
    setReady(value) {
      ready = value;
    },
    setHealthy(value) {
      healthy = value;
    },
  };
}
