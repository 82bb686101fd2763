/** IPAddress rows as printIPAddress computes them: Name, ParentRef (`services/default/web`), Age. */
import type { IPAddress, KubeObject } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

/** The IPAddress printer. */
export const ipAddressPrinter: Printer = {
  columns: [
    nameColumn,
    column('ParentRef', 'ParentRef references the resource that an IPAddress is attached to.'),
    ageColumn,
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const ref = (object as IPAddress).spec?.parentRef;
    let parent = '<none>';
    if (ref) {
      parent = (ref.group ? `${ref.resource}.${ref.group}` : ref.resource).toLowerCase();
      if (ref.namespace) parent += `/${ref.namespace}`;
      parent += `/${ref.name}`;
    }
    return [object.metadata.name, parent, ageSince(object.metadata.creationTimestamp, now)];
  },
};
