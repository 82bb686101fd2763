/**
 * Routes informer changes to the trackers and asks for a sync after each relevant one.
 * Handlers only record; the sync runner decides when to act.
 */
import type { Change, Informer, View } from '@kemu/eventlog';
import { listObjects } from '@kemu/eventlog';
import type { EndpointsTracker } from './endpoints-tracker.js';
import type { ServiceTracker } from './service-tracker.js';

/** Records one change in the matching tracker; true when it was a Service or EndpointSlice. */
export function recordChange(change: Change, services: ServiceTracker, endpoints: EndpointsTracker): boolean {
  const { type, object } = change;
  if (change.key.resource === 'services') {
    if (type === 'ADDED') services.onServiceAdd(object);
    else if (type === 'MODIFIED') services.onServiceUpdate(object);
    else services.onServiceDelete(object);
    return true;
  }
  if (change.key.resource === 'endpointslices') {
    if (type === 'ADDED') endpoints.onEndpointSliceAdd(object);
    else if (type === 'MODIFIED') endpoints.onEndpointSliceUpdate(object);
    else endpoints.onEndpointSliceDelete(object);
    return true;
  }
  return false;
}

/** Loads the trackers from a synced view (covers changes applied before the handlers were registered). */
export function loadTrackers(view: View, services: ServiceTracker, endpoints: EndpointsTracker): void {
  services.replaceAll(listObjects(view, 'services'));
  endpoints.replaceAll(listObjects(view, 'endpointslices'));
}

/** Feeds the trackers from the informer, calling `onRecorded` after each relevant change; returns the remover. */
export function registerTrackerHandlers(
  informer: Informer,
  services: ServiceTracker,
  endpoints: EndpointsTracker,
  onRecorded: () => void,
): () => void {
  return informer.onChange((change) => {
    if (recordChange(change, services, endpoints)) onRecorded();
  });
}
