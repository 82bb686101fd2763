/**
 * Routes informer changes to the trackers and asks for a sync after each one that changed
 * what the proxy programs (a status-only change of a Service asks for none). Handlers
 * only record; the sync runner decides when to act.
 */
import type { Informer, View } from '@kemu/eventlog';
import { listObjects } from '@kemu/eventlog';
import type { EndpointsTracker } from './endpoints-tracker.js';
import type { ServiceTracker } from './service-tracker.js';

/** Loads the trackers from a synced view (covers changes applied before the handlers were registered). */
export function loadTrackers(view: View, services: ServiceTracker, endpoints: EndpointsTracker): void {
  services.replaceAll(listObjects(view, 'services'));
  endpoints.replaceAll(listObjects(view, 'endpointslices'));
}

/** Feeds the trackers from the informer, calling `onChanged` after each change a tracker reports; returns the remover. */
export function registerTrackerHandlers(
  informer: Informer,
  services: ServiceTracker,
  endpoints: EndpointsTracker,
  onChanged: () => void,
): () => void {
  const when = (changed: boolean) => {
    if (changed) onChanged();
  };
  const offServices = informer.on('services', {
    onAdd: (s) => when(services.onServiceAdd(s)),
    onUpdate: (_, s) => when(services.onServiceUpdate(s)),
    onDelete: (s) => when(services.onServiceDelete(s)),
  });
  const offSlices = informer.on('endpointslices', {
    onAdd: (s) => when(endpoints.onEndpointSliceAdd(s)),
    onUpdate: (_, s) => when(endpoints.onEndpointSliceUpdate(s)),
    onDelete: (s) => when(endpoints.onEndpointSliceDelete(s)),
  });
  return () => {
    offServices();
    offSlices();
  };
}
