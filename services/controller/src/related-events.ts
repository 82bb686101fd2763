/**
 * The view's Events an event recorder may count a new occurrence on, from an informer
 * index by namespace, involved object, reason and message: without it the recorder scans
 * every object of the view for each new correlation key (a Scheduled and a
 * SuccessfulCreate per pod, each with its own key: quadratic in a scale-up). The index
 * holds a 32-bit hash of that value, not the value (a message each: 150 bytes per Event
 * of the controller's heap); the recorder checks what it finds, so a collision costs nothing.
 */
import type { Event } from '@kemu/api';
import { type EventOccurrence, correlationIndexValue } from '@kemu/event-recorder';
import type { Informer } from '@kemu/eventlog';

const BY_CORRELATION = 'kemu.events.correlation';

/** Indexes the informer's Events (once) and returns the recorder's `related` lookup. */
export function relatedEvents(informer: Informer): (o: EventOccurrence) => Event[] {
  informer.addIndex('events', BY_CORRELATION, (e) => [
    hashed(
      correlationIndexValue(
        e.metadata.namespace ?? 'default',
        e.involvedObject?.name ?? '',
        e.reason ?? '',
        e.message ?? '',
      ),
    ),
  ]);
  const events = informer.lister('events');
  return (o) =>
    events.byIndex(
      BY_CORRELATION,
      hashed(
        correlationIndexValue(
          o.involvedObject.namespace || 'default',
          o.involvedObject.name ?? '',
          o.reason,
          o.message,
        ),
      ),
    );
}

/** FNV-1a of the string's UTF-16 code units, in base 36. */
export function hashed(value: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
