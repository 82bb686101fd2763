/**
 * A controller work queue in the manner of client-go's: keys, not objects, so a burst of
 * changes to one object becomes one sync; a key added while it is being processed is
 * processed once more afterwards (it may have changed mid-sync); one key at a time per
 * queue; a failed key is retried with exponential backoff and dropped after a bound, to
 * be picked up again by the next change or resync. The drain an add() begins starts on
 * the next turn of the event loop (setImmediate), never inside the add(): the informer
 * delivers a batch of events in one turn, so the batch's changes to one object coalesce
 * into one sync instead of the first being synced alone (against a half-applied batch)
 * before the rest is queued. Queues report client-go's workqueue_* metrics through the
 * provider set once per process (client-go's workqueue.SetProvider).
 */
import type { Logger } from '@kemu/log';
import type { WorkQueueMetrics, WorkQueueMetricsProvider } from '@kemu/metrics';

const NO_METRICS: WorkQueueMetrics = { added() {}, started() {}, finished() {}, retried() {} };
let metricsProvider: WorkQueueMetricsProvider = () => NO_METRICS;

/** Sets where queues created afterwards report their metrics (main.ts, once). */
export function setWorkQueueMetricsProvider(provider: WorkQueueMetricsProvider): void {
  metricsProvider = provider;
}

/** A de-duplicating, rate-limited queue of keys processed one at a time. */
export interface WorkQueue {
  /** Queues the key unless it is queued already. */
  add(key: string): void;
  /** Queues the key after `delayMs`. */
  addAfter(key: string, delayMs: number): void;
  /** Begins processing (keys added before are kept). */
  start(): void;
  /** Stops processing, cancels delayed adds and waits for the sync in progress. */
  stop(): Promise<void>;
  /** Resolves once nothing is queued or being processed (delayed adds do not count). */
  idle(): Promise<void>;
  /** Keys waiting to be processed. */
  readonly length: number;
}

/** How a queue processes and retries. */
export interface WorkQueueOptions {
  name: string;
  /** Processes one key; a throw means "retry later". */
  sync: (key: string) => Promise<void>;
  log: Logger;
  /** Retries of one key before it is dropped (default 10). */
  maxRetries?: number;
  /** First retry delay, doubled per failure (default 10 ms). */
  baseDelayMs?: number;
  /** Ceiling of the retry delay (default 30 s). */
  maxDelayMs?: number;
}

/** Creates a stopped queue; call start() once the caches have synced. */
export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const { name, sync, log } = options;
  const maxRetries = options.maxRetries ?? 10;
  const baseDelayMs = options.baseDelayMs ?? 10;
  const maxDelayMs = options.maxDelayMs ?? 30_000;

  const queue: string[] = [];
  // Invariant: a key is in `dirty` iff it needs a sync that has not begun; it is in
  // `queue` too unless it is the key being processed.
  const dirty = new Set<string>();
  const failures = new Map<string, number>();
  /**
   * Delayed adds, one per key with the time it is due, as client-go's waiting queue: a key
   * waits once, and a later addAfter only brings it forward. A timer per call piled up
   * thousands (17 000 at 3000 pods, ~5 per pod) of progress and grace rechecks of the same
   * few keys, each holding its closure until it fired minutes later.
   */
  const waiting = new Map<string, { dueAt: number; timer: NodeJS.Timeout }>();
  let processing: string | undefined;
  let running = false;
  let stopped = false;
  let draining = false;
  let loop: Promise<void> | undefined;
  let idleWaiters: (() => void)[] = [];
  const metrics = metricsProvider(name);
  // When each dirty key was added (ms), for the time it waits in the queue.
  const addTimes = new Map<string, number>();

  function add(key: string): void {
    if (stopped || dirty.has(key)) return;
    dirty.add(key);
    addTimes.set(key, performance.now());
    if (processing !== key) queue.push(key);
    metrics.added(queue.length);
    if (processing === key) return;
    kick(true);
  }

  function addAfter(key: string, delayMs: number): void {
    if (stopped) return;
    const dueAt = performance.now() + delayMs;
    const pending = waiting.get(key);
    if (pending && pending.dueAt <= dueAt) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      waiting.delete(key);
      add(key);
    }, delayMs);
    timer.unref();
    waiting.set(key, { dueAt, timer });
  }

  /** Starts draining unless a drain is under way: at once on start(), on the next turn after an add(). */
  function kick(deferred: boolean): void {
    if (!running || draining) return;
    draining = true;
    loop = deferred ? new Promise<void>((resolve) => setImmediate(resolve)).then(drain) : drain();
  }

  async function drain(): Promise<void> {
    while (running && queue.length > 0) {
      const key = queue.shift() as string;
      dirty.delete(key);
      processing = key;
      const now = performance.now();
      metrics.started((now - (addTimes.get(key) ?? now)) / 1000, queue.length);
      addTimes.delete(key);
      await processOne(key);
      metrics.finished((performance.now() - now) / 1000);
      processing = undefined;
      if (dirty.has(key)) queue.push(key);
    }
    // Cleared synchronously with the last check, so an add() after this starts a new loop.
    draining = false;
    if (queue.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  async function processOne(key: string): Promise<void> {
    const started = Date.now();
    try {
      await sync(key);
      failures.delete(key);
      log.debug({ queue: name, key, ms: Date.now() - started }, 'synced');
    } catch (err) {
      const n = (failures.get(key) ?? 0) + 1;
      if (n > maxRetries) {
        failures.delete(key);
        log.error({ queue: name, key, err, retries: maxRetries }, 'giving up on key');
        return;
      }
      failures.set(key, n);
      const delay = Math.min(baseDelayMs * 2 ** (n - 1), maxDelayMs);
      const conflict = (err as { code?: unknown }).code === 'Conflict';
      if (conflict) log.debug({ queue: name, key, attempt: n, delay }, 'conflict, requeued');
      else log.warn({ queue: name, key, err, attempt: n, delay }, 'sync failed, requeued');
      metrics.retried();
      addAfter(key, delay);
    }
  }

  return {
    add,
    addAfter,
    start() {
      if (stopped) return;
      running = true;
      kick(false);
    },
    async stop() {
      stopped = true;
      running = false;
      for (const w of waiting.values()) clearTimeout(w.timer);
      waiting.clear();
      await loop;
      for (const w of idleWaiters) w();
      idleWaiters = [];
    },
    idle() {
      if (queue.length === 0 && processing === undefined) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    get length() {
      return queue.length;
    },
  };
}
