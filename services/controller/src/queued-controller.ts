/**
 * The scaffolding every controller here shares: one work queue, informer changes that
 * are acted on only once the controller has started (the manager's relist at start
 * covers everything replayed before), and the Controller the manager drives. A
 * controller states only what it reacts to and how it syncs a key.
 */
import type { Change } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import type { Controller, ControllerDeps } from './controller.js';
import { type WorkQueue, createWorkQueue } from './work-queue.js';

/** What a queued controller reacts to and how it syncs. */
export interface QueuedControllerHandlers {
  /** Processes one queue key; a throw means "retry later". */
  sync(key: string): Promise<void>;
  /** Queues the keys a change concerns; called only once started. */
  onChange(change: Change): void;
  /** Sees every change, also those before start, ahead of onChange (bookkeeping that must not miss any). */
  observe?(change: Change): void;
  /** Queues every key the controller is responsible for. */
  enqueueAll(): void;
  /** Runs after the queue has started (timers). */
  onStart?(): void;
  /** Runs once the handler is removed, before the queue is stopped. */
  onStop?(): void;
}

/** A controller, the queue its handlers feed and its logger. */
export interface QueuedController {
  controller: Controller;
  queue: WorkQueue;
  /** The deps' logger with `controller: name`, also the queue's. */
  log: Logger;
}

/**
 * Creates the logger and the queue, registers the change handler and returns the
 * Controller named `name`. The handlers are called only after this returns (the informer
 * reports changes later), so they may use the returned queue and logger.
 */
export function createQueuedController(
  name: string,
  deps: ControllerDeps,
  handlers: QueuedControllerHandlers,
): QueuedController {
  const log = deps.log.child({ controller: name });
  const queue = createWorkQueue({ name, log, sync: (key) => handlers.sync(key) });
  let started = false;

  const removeHandler = deps.informer.onChange((c) => {
    handlers.observe?.(c);
    if (started) handlers.onChange(c);
  });

  const controller: Controller = {
    name,
    enqueueAll: () => handlers.enqueueAll(),
    start() {
      started = true;
      queue.start();
      handlers.onStart?.();
    },
    async stop() {
      removeHandler();
      handlers.onStop?.();
      await queue.stop();
    },
    idle: () => queue.idle(),
  };
  return { controller, queue, log };
}
