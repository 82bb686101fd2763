/**
 * The view's Events an event recorder may count a new occurrence on, from an informer
 * index by namespace, involved object, reason and message: without it the recorder scans
 * every object of the view for each new correlation key (a Scheduled and a
 * SuccessfulCreate per pod, each with its own key: quadratic in a scale-up).
 */
import type { Event } from '@kemu/api';
import { type EventOccurrence, correlationIndexValue } from '@kemu/event-recorder';
import type { Informer } from '@kemu/eventlog';

const BY_CORRELATION = 'kemu.events.correlation';

/** Indexes the informer's Events (once) and returns the recorder's `related` lookup. */
export function relatedEvents(informer: Informer): (o: EventOccurrence) => Event[] {
  informer.addIndex('events', BY_CORRELATION, (e) => [
    correlationIndexValue(
      e.metadata.namespace ?? 'default',
      e.involvedObject?.name ?? '',
      e.reason ?? '',
      e.message ?? '',
    ),
  ]);
  const events = informer.lister('events');
  return (o) =>
    events.byIndex(
      BY_CORRELATION,
      correlationIndexValue(o.involvedObject.namespace || 'default', o.involvedObject.name ?? '', o.reason, o.message),
    );
}
