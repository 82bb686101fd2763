/**
 * Whether a controller may create objects in a namespace. The apiserver refuses creates
 * in a namespace that does not exist or is Terminating; the controllers write to the
 * event log directly, so they check the same themselves (otherwise a namespace deletion
 * would race a ReplicaSet recreating its pods).
 */
import type { Namespace } from '@kemu/api';
import type { View } from '@kemu/eventlog';
import { getObject } from '@kemu/eventlog';

/** True when `namespace` exists and is not being deleted. */
export function isNamespaceActive(view: View, namespace: string): boolean {
  const ns = getObject(view, { resource: 'namespaces', namespace: '', name: namespace });
  if (!ns) return false;
  return !ns.metadata.deletionTimestamp && ns.status?.phase !== 'Terminating';
}
