/**
 * How a kemu process ends, in one place: a configuration error exits 2 with one line on
 * stderr (before any logger exists), SIGTERM/SIGINT run the process's stop once and exit
 * 0, a failure exits 1. Nothing else in kemu calls process.exit. A subpath of
 * @kemu/runtime (`@kemu/runtime/process`) with no event-log dependency, for the pod
 * workload, which must start fast.
 */
import { ConfigError } from '@kemu/config';

/** Exit status of a process whose configuration is unusable (as the node-agent always used). */
export const CONFIG_EXIT_CODE = 2;

/** Reads the configuration; on a ConfigError writes `<component>: <message>` to stderr and exits 2. */
export function readConfig<C>(component: string, read: () => C): C {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${component}: ${err.message}\n`);
    return process.exit(CONFIG_EXIT_CODE);
  }
}

/** How a process stops on a signal. */
export interface SignalExitOptions {
  /** Called once, with the signal, before `stop`. */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** Exit anyway this long after the signal when `stop` has not finished (default: wait for it). */
  graceMs?: number;
  /** Called when `stop` throws; the process still exits 0 (it was asked to stop). */
  onStopError?: (err: unknown) => void;
}

/** On the first SIGTERM or SIGINT runs `stop` and exits 0; later signals are ignored. */
export function exitOnSignals(stop: () => Promise<void>, options: SignalExitOptions = {}): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.onSignal?.(signal);
    if (options.graceMs !== undefined) setTimeout(() => process.exit(0), options.graceMs).unref();
    void stop()
      .catch((err: unknown) => options.onStopError?.(err))
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Ends the process after a failure it cannot go on from. */
export function exitOnFailure(report: (err: unknown) => void): (err: unknown) => never {
  return (err: unknown) => {
    report(err);
    return process.exit(1);
  };
}
