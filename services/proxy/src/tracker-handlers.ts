/**
 * Routes informer changes to the trackers and asks for a sync after each one that changed
 * what the proxy programs (a status-only change of a Service asks for none). Handlers
 * only record; the sync runner decides when to act.
 */
import type { Change, Informer, View } from '@kemu/eventlog';
import { listObjects } from '@kemu/eventlog';
import type { EndpointsTracker } from './endpoints-tracker.js';
import type { ServiceTracker } from './service-tracker.js';

/** Loads the trackers from a synced view (covers changes applied before the handlers were registered). */
export function loadTrackers(view: View, services: ServiceTracker, endpoints: EndpointsTracker): void {
  services.replaceAll(listObjects(view, 'services'));
  endpoints.replaceAll(listObjects(view, 'endpointslices'));
}

/** Feeds the trackers from the informer, calling `onChanged` with each change a tracker reports; returns the remover. */
export function registerTrackerHandlers(
  informer: Informer,
  services: ServiceTracker,
  endpoints: EndpointsTracker,
  onChanged: (change: Change) => void,
): () => void {
  const when = (changed: boolean, change: Change) => {
    if (changed) onChanged(change);
  };
  const offServices = informer.on('services', {
    onAdd: (s, c) => when(services.onServiceAdd(s), c),
    onUpdate: (_, s, c) => when(services.onServiceUpdate(s), c),
    onDelete: (s, c) => when(services.onServiceDelete(s), c),
  });
  const offSlices = informer.on('endpointslices', {
    onAdd: (s, c) => when(endpoints.onEndpointSliceAdd(s), c),
    onUpdate: (_, s, c) => when(endpoints.onEndpointSliceUpdate(s), c),
    onDelete: (s, c) => when(endpoints.onEndpointSliceDelete(s), c),
  });
  return () => {
    offServices();
    offSlices();
  };
}
