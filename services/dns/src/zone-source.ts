/**
 * Keeps the zone tables in step with the informer's view: a change to a Service,
 * EndpointSlice or Namespace marks the tables stale, and the next query rebuilds them,
 * so a burst of changes costs one rebuild. Nothing is served before the informer has
 * synced (the handler answers SERVFAIL then, as CoreDNS does before its first list).
 */
import type { EndpointSlice, Namespace, Service } from '@kemu/api';
import { type Informer, listObjects } from '@kemu/eventlog';
import { type ZoneIndex, type ZoneIndexOptions, buildZoneIndex } from './zone-index.js';

const ZONE_RESOURCES = new Set(['services', 'endpointslices', 'namespaces']);

/** The current zone of a live view. */
export interface ZoneSource {
  /** The zone, or undefined while the view is not synced. */
  current(): ZoneIndex | undefined;
  stop(): void;
}

/** Follows the informer; `options.serial` is ignored (the serial is the time of the last change). */
export function createZoneSource(
  informer: Informer,
  options: Omit<ZoneIndexOptions, 'serial'>,
  clock: () => number = Date.now,
): ZoneSource {
  let zone: ZoneIndex | undefined;
  let stale = true;
  let changedAt = clock();
  const off = informer.onChange((c) => {
    if (!ZONE_RESOURCES.has(c.key.resource)) return;
    stale = true;
    changedAt = clock();
  });
  return {
    current() {
      if (!informer.isSynced()) return undefined;
      if (stale || !zone) {
        stale = false;
        const view = informer.view;
        zone = buildZoneIndex(
          {
            services: listObjects(view, 'services'),
            endpointSlices: listObjects(view, 'endpointslices'),
            namespaces: listObjects(view, 'namespaces'),
          },
          { ...options, serial: Math.floor(changedAt / 1000) },
        );
      }
      return zone;
    },
    stop: () => off(),
  };
}
