/** How `kemu events` prints a history entry: one aligned human line, or one JSON object per line. */
import type { HistoryEntry } from '@kemu/eventlog';
import { summarizeChange } from './object-changes.js';

/** A history entry with what changed against the object's previous version, as `kemu events` prints it. */
export type EventsEntry = HistoryEntry & { changes: string[] };

/** Adds what changed (summarizeChange; nothing for a deletion). */
export function withChanges(e: HistoryEntry): EventsEntry {
  return { ...e, changes: e.type === 'DELETED' ? [] : summarizeChange(e.key.resource, e.old, e.object) };
}

/** `component/node` (or the component alone). */
export function actorText(e: HistoryEntry): string {
  return e.actor.node ? `${e.actor.component}/${e.actor.node}` : e.actor.component;
}

/** `resource namespace/name`, or `resource name` when cluster-scoped. */
export function objectText(e: HistoryEntry): string {
  return `${e.key.resource} ${e.key.namespace ? `${e.key.namespace}/` : ''}${e.key.name}`;
}

/** One human line: time, sequence, actor, verb, object and what changed. */
export function formatEntryLine(e: EventsEntry): string {
  const changes = e.changes.join(', ');
  return [
    e.time.toISOString(),
    `#${e.seq}`.padEnd(7),
    actorText(e).padEnd(24),
    e.type.padEnd(8),
    objectText(e).padEnd(40),
    changes,
  ]
    .join(' ')
    .trimEnd();
}

/** The JSON object `-o json` prints for an entry. */
export function entryJson(e: EventsEntry): Record<string, unknown> {
  return {
    seq: e.seq,
    time: e.time.toISOString(),
    actor: e.actor,
    type: e.type,
    resource: e.key.resource,
    namespace: e.key.namespace,
    name: e.key.name,
    uid: e.uid,
    changes: e.changes,
  };
}
