/** Namespace rows: Name, Status (the phase), Age. */
import type { KubeObject, Namespace } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

/** The Namespace printer. */
export const namespacePrinter: Printer = {
  columns: [nameColumn, column('Status', 'The status of the namespace'), ageColumn],
  cells(object: KubeObject, now: number): unknown[] {
    const ns = object as Namespace;
    return [ns.metadata.name, ns.status?.phase ?? '', ageSince(ns.metadata.creationTimestamp, now)];
  },
};
