/**
 * Lists of one resource from informer indexes instead of listObjects, which scans every
 * object of the view (pods, events, leases …) for its key prefix: a list per pod change
 * made a scale-up quadratic in the whole log's size.
 */
import type { ResourceName, ResourceTypes } from '@kemu/api';
import type { Informer } from '@kemu/eventlog';

const BY_NAMESPACE = 'kemu.namespace';
const ALL = 'kemu.all';

/** Lists of one resource, cluster-wide or per namespace. */
export interface IndexedList<T> {
  /** Every live object, or those of one namespace. */
  list(namespace?: string): T[];
}

/** Indexes `resource` (once per informer) and lists it from the indexes. */
export function indexedList<R extends ResourceName>(informer: Informer, resource: R): IndexedList<ResourceTypes[R]> {
  informer.addIndex(resource, BY_NAMESPACE, (o) => [o.metadata.namespace ?? '']);
  informer.addIndex(resource, ALL, () => ['']);
  const lister = informer.lister(resource);
  return {
    list: (namespace) => (namespace === undefined ? lister.byIndex(ALL, '') : lister.byIndex(BY_NAMESPACE, namespace)),
  };
}
