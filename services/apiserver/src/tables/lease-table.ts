/** Lease rows as printLease computes them: Name, Holder, Age. */
import type { KubeObject, Lease } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

/** The Lease printer. */
export const leasePrinter: Printer = {
  columns: [nameColumn, column('Holder', 'HolderIdentity of the lease'), ageColumn],
  cells(object: KubeObject, now: number): unknown[] {
    const holder = (object as Lease).spec?.holderIdentity ?? '';
    return [object.metadata.name, holder, ageSince(object.metadata.creationTimestamp, now)];
  },
};
