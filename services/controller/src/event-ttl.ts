/**
 * Event expiry: kube-apiserver stores Events with a 1 h TTL (--event-ttl), renewed by
 * each update, so an Event disappears an hour after it last happened. Here the controller
 * does it: a periodic sweep deletes every Event whose last occurrence (lastTimestamp,
 * else eventTime, else creationTimestamp) is older than the TTL. A conflict means the
 * Event just happened again, so it is left for the next sweep.
 */
import type { Event } from '@kemu/api';
import { ConflictError, listObjects } from '@kemu/eventlog';
import { type Controller, type ControllerDeps, createPeriodicController } from './controller.js';

/** Kubernetes' default --event-ttl. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

/** When an Event last happened, in epoch ms (NaN when it carries no time at all). */
export function lastOccurrence(e: Event): number {
  const series = e.series as { lastObservedTime?: string } | undefined;
  return Date.parse(e.lastTimestamp || series?.lastObservedTime || e.eventTime || e.metadata.creationTimestamp || '');
}

/** The Events whose last occurrence is more than `ttlMs` before `nowMs`. */
export function expiredEvents(events: readonly Event[], nowMs: number, ttlMs: number): Event[] {
  return events.filter((e) => nowMs - lastOccurrence(e) > ttlMs);
}

/** Creates the event TTL sweeper, sweeping every `periodMs`. */
export function createEventTtlController(deps: ControllerDeps, o: { ttlMs: number; periodMs: number }): Controller {
  const { informer, writer, now } = deps;
  const log = deps.log.child({ controller: 'event-ttl' });

  async function sweep(): Promise<void> {
    const expired = expiredEvents(listObjects(informer.view, 'events'), now().getTime(), o.ttlMs);
    for (const e of expired) {
      const key = { resource: 'events', namespace: e.metadata.namespace ?? 'default', name: e.metadata.name };
      try {
        await writer.remove(key, e, Number(e.metadata.resourceVersion));
      } catch (err) {
        if (!(err instanceof ConflictError)) log.warn({ err, event: e.metadata.name }, 'expired event not deleted');
      }
    }
    if (expired.length > 0) log.info({ deleted: expired.length }, 'expired events deleted');
  }

  return createPeriodicController('event-ttl', log, o.periodMs, sweep);
}
