/**
 * What every controller here is and gets: a work queue fed by informer handlers, started
 * by the manager once the informer has synced, with the shared view, writer and clock.
 */
import { type ObjectKey, keyString } from '@kemu/api';
import type { Informer, ObjectWriter } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';

/** A running controller, as the manager drives it. */
export interface Controller {
  readonly name: string;
  /** Queues every key the controller is responsible for (the relist after sync, and resyncs). */
  enqueueAll(): void;
  /** Starts processing the queue; call only after the informer has synced. */
  start(): void;
  /** Stops handlers, timers and the queue, waiting for the sync in progress. */
  stop(): Promise<void>;
  /** Resolves once the controller's queue is empty and nothing is being synced. */
  idle(): Promise<void>;
}

/** The shared pieces a controller is built from. */
export interface ControllerDeps {
  informer: Informer;
  writer: ObjectWriter;
  log: Logger;
  now: () => Date;
}

/** Parses a `resource/namespace/name` key back into an ObjectKey. */
export function parseKey(key: string): ObjectKey {
  const [resource = '', namespace = '', ...rest] = key.split('/');
  return { resource, namespace, name: rest.join('/') };
}

/** The key string of a namespaced or cluster-scoped object of `resource`. */
export function keyOf(resource: string, object: { metadata: { namespace?: string; name: string } }): string {
  return keyString({ resource, namespace: object.metadata.namespace ?? '', name: object.metadata.name });
}

/**
 * A controller that is one sweep over the view, run right after start and then every
 * `periodMs` (and on `enqueueAll`); sweeps never overlap, and a failed one is logged.
 */
export function createPeriodicController(
  name: string,
  log: Logger,
  periodMs: number,
  sweep: () => Promise<void>,
): Controller {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let started = false;

  function trigger(): void {
    if (!started) return;
    running = running.then(sweep).catch((err: unknown) => log.warn({ err }, `${name} sweep failed`));
  }

  return {
    name,
    enqueueAll: trigger,
    start() {
      started = true;
      trigger();
      timer = setInterval(trigger, periodMs);
      timer.unref();
    },
    async stop() {
      started = false;
      if (timer) clearInterval(timer);
      await running;
    },
    idle: () => running,
  };
}
