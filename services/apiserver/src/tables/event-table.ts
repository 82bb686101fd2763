/** core/v1 Event rows as printEvent computes them (wide layout, as the server always prints). */
import type { Event, KubeObject } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { column, type Printer } from './table.js';

function source(e: Event): string {
  const component =
    e.source?.component || (e.reportingComponent ?? '') || ((e.reportingController as string | undefined) ?? '');
  const instance = e.source?.host || (e.reportingInstance ?? '');
  if (!component) return '';
  return instance ? `${component}, ${instance}` : component;
}

/** The Event printer: Last Seen, Type, Reason, Object, Message | Subobject, Source, First Seen, Count, Name. */
export const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
    column(
      'Reason',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'The object that this event is about.'),
    column('Subobject', 'The subobject (e.g. a container) this event is about.', { priority: 1 }),
    column('Source', 'The component reporting this event. Should be a short machine understandable string.', {
      priority: 1,
    }),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', {
      priority: 1,
    }),
    column('Count', 'The number of times this event has occurred.', { priority: 1 }),
    column('Name', 'Name must be unique within a namespace.', { priority: 1, format: 'name' }),
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const e = object as Event;
    const first = e.firstTimestamp ? ageSince(e.firstTimestamp, now) : ageSince(e.eventTime, now);
    let last = e.lastTimestamp ? ageSince(e.lastTimestamp, now) : first;
    let count = e.count ?? 0;
    const series = e.series as { lastObservedTime?: string; count?: number } | undefined;
    if (series) {
      last = ageSince(series.lastObservedTime, now);
      count = series.count ?? 0;
    } else if (count === 0) count = 1;
    const io = e.involvedObject ?? { kind: '', name: '' };
    const target = io.name ? `${(io.kind ?? '').toLowerCase()}/${io.name}` : (io.kind ?? '').toLowerCase();
    return [
      last,
      e.type ?? '',
      e.reason ?? '',
      target,
      io.fieldPath ?? '',
      source(e),
      (e.message ?? '').trim(),
      first,
      count,
      e.metadata.name,
    ];
  },
};
