/**
 * The Service parts of create and update that involve ClusterIPs: allocate at create
 * time (so the POST reply already shows the address, as with a real apiserver), keep
 * allocated values a client left out on update (patchAllocatedValues), and allocate or
 * release when the type changes to or from ExternalName.
 */
import { type Service, type StatusCause, invalid, internalError } from '@kemu/api';
import { type ClusterIpAllocator, IpAllocationError } from './cluster-ip-allocator.js';

function needsIp(svc: Service): boolean {
  return (svc.spec?.type ?? 'ClusterIP') !== 'ExternalName' && svc.spec?.clusterIP !== 'None';
}

function toApiError(svc: Service, err: unknown): unknown {
  if (!(err instanceof IpAllocationError)) return err;
  if (err.code === 'RangeFull') return internalError('failed to allocate a serviceIP: range is full');
  const cause: StatusCause = {
    reason: 'FieldValueInvalid',
    field: 'spec.clusterIP',
    message: `Invalid value: ${JSON.stringify(err.ip)}: ${err.message}`,
  };
  return invalid('Service', svc.metadata.name, [cause]);
}

function setIp(svc: Service, ip: string): void {
  svc.spec.clusterIP = ip;
  svc.spec.clusterIPs = [ip];
  if (ip !== 'None' || svc.spec.selector) {
    svc.spec.ipFamilies ??= ['IPv4'];
    svc.spec.ipFamilyPolicy ??= 'SingleStack';
  }
}

/** Allocates the ClusterIP of a Service being created (in place); returns the allocated address, if any. */
export async function assignClusterIp(allocator: ClusterIpAllocator, svc: Service): Promise<string | undefined> {
  svc.spec ??= {};
  if ((svc.spec.type ?? 'ClusterIP') === 'ExternalName') return undefined;
  if (svc.spec.clusterIP === 'None') {
    setIp(svc, 'None');
    return undefined;
  }
  const owner = { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name };
  try {
    const ip = await allocator.allocate(owner, svc.spec.clusterIP || undefined);
    setIp(svc, ip);
    return ip;
  } catch (err) {
    throw toApiError(svc, err);
  }
}

/**
 * Copies allocated values the update left empty from the stored Service, then keeps
 * clusterIP and clusterIPs in step for clients that only change one of them
 * (the registry's patchAllocatedValues and normalizeClusterIPs), in place.
 */
export function keepAllocatedValues(next: Service, old: Service): void {
  next.spec ??= {};
  const spec = next.spec;
  const oldSpec = old.spec ?? {};
  const notExternal = (svc: Service) => (svc.spec?.type ?? 'ClusterIP') !== 'ExternalName';
  if (notExternal(next) && notExternal(old)) {
    if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if ((spec.clusterIPs ?? []).length === 0 && oldSpec.clusterIPs) spec.clusterIPs = [...oldSpec.clusterIPs];
    if ((spec.ipFamilies ?? []).length === 0 && oldSpec.ipFamilies) spec.ipFamilies = oldSpec.ipFamilies;
    if (!spec.ipFamilyPolicy && oldSpec.ipFamilyPolicy) spec.ipFamilyPolicy = oldSpec.ipFamilyPolicy;
  }
  if (
    (oldSpec.clusterIPs ?? []).length > 0 &&
    (spec.clusterIPs ?? []).length === 0 &&
    oldSpec.clusterIP === spec.clusterIP
  ) {
    spec.clusterIPs = [...(oldSpec.clusterIPs ?? [])];
  }
  if (oldSpec.clusterIP !== spec.clusterIP) {
    if (oldSpec.clusterIP && !spec.clusterIP) delete spec.clusterIPs;
    else if (
      spec.clusterIP &&
      JSON.stringify(oldSpec.clusterIPs) === JSON.stringify(spec.clusterIPs) &&
      spec.clusterIPs?.length
    ) {
      spec.clusterIPs = [spec.clusterIP, ...spec.clusterIPs.slice(1)];
    }
  }
}

/** An update's address changes: what it allocated (to release on failure) and what to release after it is stored. */
export interface IpChange {
  allocated?: string;
  releaseAfter?: string;
}

/** Allocates when a Service leaves ExternalName, and marks the old address for release when it becomes one. */
export async function reassignClusterIp(allocator: ClusterIpAllocator, next: Service, old: Service): Promise<IpChange> {
  const oldIp = old.spec?.clusterIP;
  const hadIp =
    oldIp !== undefined && oldIp !== '' && oldIp !== 'None' && (old.spec?.type ?? 'ClusterIP') !== 'ExternalName';
  if (!needsIp(next)) {
    if ((next.spec?.type ?? 'ClusterIP') === 'ExternalName') {
      delete next.spec.clusterIP;
      delete next.spec.clusterIPs;
      delete next.spec.ipFamilies;
      delete next.spec.ipFamilyPolicy;
    }
    return hadIp ? { releaseAfter: oldIp } : {};
  }
  if (hadIp) return {};
  const allocated = await assignClusterIp(allocator, next);
  return allocated ? { allocated } : {};
}
