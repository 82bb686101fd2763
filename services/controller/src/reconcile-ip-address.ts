/**
 * Whether a ClusterIP allocation (IPAddress) is orphaned, pure. The apiserver creates
 * the IPAddress before the Service, so an IPAddress without its Service is only deleted
 * once it is older than a grace period; until then the answer is "look again later".
 */
import type { IPAddress, Service } from '@kemu/api';

/** What to do with one IPAddress. */
export type IPAddressVerdict =
  | { action: 'keep' }
  | { action: 'wait'; delayMs: number }
  | { action: 'delete'; reason: string };

/** Judges an IPAddress against its parent Service (undefined when it does not exist). */
export function reconcileIPAddress(
  ip: IPAddress,
  service: Service | undefined,
  now: Date,
  graceMs: number,
  firstSeen?: Date,
): IPAddressVerdict {
  const parent = ip.spec?.parentRef;
  if (parent?.resource !== 'services' || (parent.group ?? '') !== '') return { action: 'keep' };
  const address = ip.metadata.name;
  let reason: string;
  if (!service) reason = 'service not found';
  else if (service.spec.clusterIP === address || (service.spec.clusterIPs ?? []).includes(address))
    return { action: 'keep' };
  else reason = 'service has another clusterIP';
  // creationTimestamp has second precision: count from the end of that second.
  const created = Date.parse(ip.metadata.creationTimestamp ?? '');
  const since = Number.isNaN(created) ? (firstSeen?.getTime() ?? now.getTime()) : created + 999;
  const age = now.getTime() - since;
  if (age < graceMs) return { action: 'wait', delayMs: graceMs - age };
  return { action: 'delete', reason };
}
