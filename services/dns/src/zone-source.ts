/**
 * Keeps the zone tables in step with the informer's view: a change to a Service,
 * EndpointSlice or Namespace that the zone reads marks the tables stale, and the next
 * query rebuilds them, so a burst of changes costs one rebuild; a change the zone does
 * not read (a Service's status, a Namespace's phase) neither rebuilds nor bumps the
 * serial. Nothing is served before the informer has synced (the handler answers SERVFAIL
 * then, as CoreDNS does before its first list).
 */
import { type EndpointSlice, SERVICE_NAME_LABEL, type Service, deepEqual } from '@kemu/api';
import { type Informer, listObjects } from '@kemu/eventlog';
import { type ZoneIndex, type ZoneIndexOptions, buildZoneIndex } from './zone-index.js';

/** Whether a Service update changes the zone (it reads the name and the spec). */
export function serviceZoneChanged(old: Service, svc: Service): boolean {
  return !deepEqual(old.spec, svc.spec);
}

/** Whether an EndpointSlice update changes the zone (its Service, address type, endpoints and ports). */
export function sliceZoneChanged(old: EndpointSlice, slice: EndpointSlice): boolean {
  return (
    old.metadata.labels?.[SERVICE_NAME_LABEL] !== slice.metadata.labels?.[SERVICE_NAME_LABEL] ||
    old.addressType !== slice.addressType ||
    !deepEqual(old.endpoints, slice.endpoints) ||
    !deepEqual(old.ports, slice.ports)
  );
}

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
  const changed = () => {
    stale = true;
    changedAt = clock();
  };
  const offs = [
    informer.on('services', {
      onAdd: changed,
      onUpdate: (old, svc) => serviceZoneChanged(old, svc) && changed(),
      onDelete: changed,
    }),
    informer.on('endpointslices', {
      onAdd: changed,
      onUpdate: (old, slice) => sliceZoneChanged(old, slice) && changed(),
      onDelete: changed,
    }),
    // The zone reads a Namespace's name only, which an update cannot change.
    informer.on('namespaces', { onAdd: changed, onDelete: changed }),
  ];
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
    stop: () => {
      for (const off of offs) off();
    },
  };
}
