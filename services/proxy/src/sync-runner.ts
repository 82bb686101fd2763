/**
 * Runs the proxy's sync: coalesces bursts of requests into one run, never runs two at
 * once, keeps at least `minIntervalMs` between the starts of two runs (milliseconds,
 * so an endpoint removal reaches the data plane at once), retries a failed run with
 * doubling backoff, and also runs every `periodMs` to repair drift. Nothing runs before
 * `start()`, which the caller invokes once the informer has synced.
 */
import type { Logger } from '@kemu/log';

/** How a runner runs. */
export interface SyncRunnerOptions {
  sync: () => Promise<void>;
  log: Logger;
  minIntervalMs?: number;
  periodMs?: number;
  /** Called on each period tick before its run is requested (a data plane marks that run a full resync). */
  onPeriod?: () => void;
  retryInitialMs?: number;
  retryMaxMs?: number;
  now?: () => number;
}

/** A coalescing runner of one sync function. */
export interface SyncRunner {
  /** Allows runs and runs once. */
  start(): void;
  /** Asks for a run soon; many requests before it starts make one run. */
  request(): void;
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
  /** Resolves after the next run that starts after this call has finished (test helper and shutdown aid). */
  settled(): Promise<void>;
}

/** Creates a runner; it is idle until `start()`. */
export function createSyncRunner(options: SyncRunnerOptions): SyncRunner {
  const { sync, log } = options;
  const now = options.now ?? Date.now;
  const minIntervalMs = options.minIntervalMs ?? 10;
  const retryInitialMs = options.retryInitialMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 10_000;
  let started = false;
  let stopped = false;
  let pending = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let lastStart = Number.NEGATIVE_INFINITY;
  let failures = 0;
  let waiters: (() => void)[] = [];
  let periodic: NodeJS.Timeout | undefined;

  function schedule(): void {
    if (timer || running || stopped || !started) return;
    const delayMs = lastStart + minIntervalMs - now();
    const fire = () => {
      timer = undefined;
      void run();
    };
    timer = delayMs <= 0 ? setImmediate(fire) : setTimeout(fire, delayMs);
  }

  function retry(): void {
    retryTimer = undefined;
    request();
  }

  function request(): void {
    pending = true;
    schedule();
  }

  async function run(): Promise<void> {
    if (running || stopped) return;
    pending = false;
    lastStart = now();
    const finished = waiters;
    waiters = [];
    const t0 = performance.now();
    running = sync().then(
      () => {
        failures = 0;
        if (retryTimer) clearTimeout(retryTimer);
        retryTimer = undefined;
        log.debug({ ms: Math.round(performance.now() - t0) }, 'sync complete');
      },
      (err: unknown) => {
        failures++;
        const retryMs = Math.min(retryMaxMs, retryInitialMs * 2 ** (failures - 1));
        log.error({ err, failures, retryMs }, 'sync failed');
        if (retryTimer) clearTimeout(retryTimer);
        retryTimer = stopped ? undefined : setTimeout(retry, retryMs);
      },
    );
    await running;
    running = undefined;
    for (const w of finished) w();
    if (pending) schedule();
  }

  return {
    start() {
      if (started) return;
      started = true;
      if (options.periodMs) {
        periodic = setInterval(() => {
          options.onPeriod?.();
          request();
        }, options.periodMs);
        periodic.unref();
      }
      request();
    },
    request,
    async stop() {
      stopped = true;
      if (timer) {
        clearTimeout(timer as NodeJS.Timeout);
        clearImmediate(timer as NodeJS.Immediate);
      }
      if (retryTimer) clearTimeout(retryTimer);
      if (periodic) clearInterval(periodic);
      await running;
      for (const w of waiters.splice(0)) w();
    },
    settled() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        request();
      });
    },
  };
}
