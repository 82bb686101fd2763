/**
 * The scaffolding every controller here shares: one work queue, informer changes that
 * are acted on only once the controller has started (the manager's relist at start
 * covers everything replayed before), and the Controller the manager drives. A
 * controller states only what it reacts to and how it syncs a key.
 */
import type { KubeObject, ResourceName } from '@kemu/api';
import type { ResourceEventHandler, ResourceHandlers } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import type { Controller, ControllerDeps } from './controller.js';
import { type WorkQueue, createWorkQueue } from './work-queue.js';

/** What a queued controller reacts to and how it syncs. */
export interface QueuedControllerHandlers {
  /** Processes one queue key; a throw means "retry later". */
  sync(key: string): Promise<void>;
  /** Per-resource handlers that queue the keys a change concerns; called only once started. */
  handlers: ResourceHandlers;
  /** Per-resource handlers that see every change, also those before start, ahead of `handlers` (bookkeeping that must not miss any). */
  observers?: ResourceHandlers;
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

  const resources = new Set([...Object.keys(handlers.handlers), ...Object.keys(handlers.observers ?? {})]);
  const removers = [...resources].map((r) => {
    const resource = r as ResourceName;
    const h = handlers.handlers[resource] as ResourceEventHandler<KubeObject> | undefined;
    const o = handlers.observers?.[resource] as ResourceEventHandler<KubeObject> | undefined;
    return deps.informer.on(resource, {
      onAdd(obj, c) {
        o?.onAdd?.(obj, c);
        if (started) h?.onAdd?.(obj, c);
      },
      onUpdate(old, obj, c) {
        o?.onUpdate?.(old, obj, c);
        if (started) h?.onUpdate?.(old, obj, c);
      },
      onDelete(obj, c) {
        o?.onDelete?.(obj, c);
        if (started) h?.onDelete?.(obj, c);
      },
    });
  });
  const removeHandler = () => {
    for (const remove of removers) remove();
  };

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
