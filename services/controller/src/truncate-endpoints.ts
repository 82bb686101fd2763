/**
 * kube-controller-manager's cap on the legacy Endpoints: at most 1000 addresses, the rest
 * dropped (ready ones kept first, each subset keeping its share) and the object annotated
 * `endpoints.kubernetes.io/over-capacity: truncated`; EndpointSlices carry them all. An
 * uncapped Endpoints of a 9000-pod Service was a 1 MB record rewritten on every pod change.
 */
import type { EndpointSubset } from '@kemu/api';

/** Addresses an Endpoints object holds at most (maxCapacity in the endpoints controller). */
export const ENDPOINTS_MAX_CAPACITY = 1000;

/** The annotation marking truncated Endpoints, and its value. */
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
export const TRUNCATED = 'truncated';

/** The subsets cut to ENDPOINTS_MAX_CAPACITY addresses as truncateEndpoints does, and whether anything was cut. */
export function truncateSubsets(subsets: EndpointSubset[]): { subsets: EndpointSubset[]; truncated: boolean } {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  if (ready + notReady <= ENDPOINTS_MAX_CAPACITY) return { subsets, truncated: false };
  const cutReady = ready > ENDPOINTS_MAX_CAPACITY;
  const max = cutReady ? ENDPOINTS_MAX_CAPACITY : ENDPOINTS_MAX_CAPACITY - ready;
  const total = cutReady ? ready : notReady;
  let room = max;
  const out = subsets.map((s) => {
    const pool = (cutReady ? s.addresses : s.notReadyAddresses) ?? [];
    // Each subset's share, rounded up: the last ones may get less.
    const keep = pool.slice(0, Math.min(Math.ceil((pool.length / total) * max), room));
    room -= keep.length;
    const { addresses, notReadyAddresses, ...rest } = s;
    return cutReady
      ? { ...rest, ...(keep.length > 0 ? { addresses: keep } : {}) }
      : {
          ...rest,
          ...(addresses ? { addresses } : {}),
          ...(keep.length > 0 ? { notReadyAddresses: keep } : {}),
        };
  });
  return { subsets: out, truncated: true };
}
