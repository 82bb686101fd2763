import type { View } from '@kemu/eventlog';
import { getObject } from '@kemu/eventlog';

/** True when `namespace` exists and is not being deleted. */
export function isNamespaceActive(view: View, namespace: string): boolean {
  const ns = getObject(view, { resource: 'namespaces', namespace: '', name: namespace });
  if (!ns) return false;
  return !ns.metadata.deletionTimestamp && ns.status?.phase !== 'Terminating';
}
