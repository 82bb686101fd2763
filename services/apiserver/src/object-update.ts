/**
 * Update (PUT, and the write half of PATCH). The stored object's identity (uid,
 * creationTimestamp, deletion fields) is kept; the main resource cannot change status
 * and `/status` can change nothing but status; allocated ClusterIPs a client left out
 * are kept; defaults, then validation against the old object; generation moves when the
 * spec does; an unchanged object is not written again. The write is a compare-and-set
 * on the resourceVersion the update was based on (409 Conflict when it moved).
 */
import {
  ApiError,
  type KubeObject,
  type ObjectKey,
  type ResourceType,
  type Service,
  badRequest,
  conflict,
  defaultObject,
  invalid,
  validateObject,
} from '@kemu/api';
import { isDeepStrictEqual } from 'node:util';
import type { ApiContext } from './context.js';
import { hasStatusSubresource } from './discovery.js';
import { getStored } from './object-read.js';
import { type IpChange, keepAllocatedValues, reassignClusterIp } from './service-cluster-ip.js';
import { type WriteOptions, asObjectOf, checkUnknownFields, writeFailure } from './write-options.js';

/** Which part of the object a write may change. */
export type UpdateTarget = 'main' | 'status' | 'finalize';

function specOf(o: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

function withoutVersion(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...meta } = o.metadata;
  return { ...o, metadata: meta } as KubeObject;
}

/** Builds the object an update would store from the stored one and the request's object. */
function merged(type: ResourceType, current: KubeObject, input: KubeObject, target: UpdateTarget): KubeObject {
  if (target === 'status') return { ...structuredClone(current), status: structuredClone(input.status) };
  if (target === 'finalize') {
    const spec = {
      ...((current.spec as Record<string, unknown>) ?? {}),
      finalizers: (input.spec as { finalizers?: unknown })?.finalizers ?? [],
    };
    return { ...structuredClone(current), spec };
  }
  const next = structuredClone(input);
  const meta = next.metadata;
  const old = current.metadata;
  meta.name ??= old.name;
  if (old.namespace !== undefined) meta.namespace ??= old.namespace;
  meta.uid ??= old.uid;
  meta.creationTimestamp ??= old.creationTimestamp;
  meta.generation = old.generation;
  for (const f of ['deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
    if (old[f] !== undefined) meta[f] = old[f] as never;
    else delete meta[f];
  }
  if (hasStatusSubresource(type.resource)) {
    if (current.status !== undefined) next.status = structuredClone(current.status);
    else delete next.status;
  }
  return next;
}

/** Stores `input` over `current` (both already checked); returns what is stored. */
export async function storeUpdate(
  ctx: ApiContext,
  type: ResourceType,
  current: KubeObject,
  input: KubeObject,
  target: UpdateTarget,
  options: WriteOptions,
): Promise<KubeObject> {
  const key: ObjectKey = {
    resource: type.resource,
    namespace: current.metadata.namespace ?? '',
    name: current.metadata.name,
  };
  let next = defaultObject(merged(type, current, input, target));
  if (type.resource === 'services' && target === 'main') keepAllocatedValues(next as Service, current as Service);
  const causes = validateObject(next, current);
  if (causes.length > 0) throw invalid(type.kind, key.name, causes, type.group);
  if (!isDeepStrictEqual(specOf(next), specOf(current)))
    next.metadata.generation = (current.metadata.generation ?? 0) + 1;
  if (isDeepStrictEqual(withoutVersion(next), withoutVersion(current))) return current;
  if (options.dryRun) return next;

  let ips: IpChange = {};
  if (type.resource === 'services' && target === 'main')
    ips = await reassignClusterIp(ctx.allocator, next as Service, current as Service);
  const owner = { namespace: key.namespace, name: key.name };
  try {
    next = await ctx.writer.put(key, next, Number(current.metadata.resourceVersion));
  } catch (err) {
    if (ips.allocated) await ctx.allocator.release(ips.allocated, owner);
    throw writeFailure(err, type, key.name);
  }
  if (ips.releaseAfter) await ctx.allocator.release(ips.releaseAfter, owner);
  return next;
}

/** PUT: replaces an object (or its status) with a decoded body; its resourceVersion, when given, must be current. */
export async function updateObject(
  ctx: ApiContext,
  type: ResourceType,
  namespace: string,
  name: string,
  body: unknown,
  target: UpdateTarget,
  options: WriteOptions,
): Promise<KubeObject> {
  const input = asObjectOf(type, body);
  checkUnknownFields(type, input, options);
  if (input.metadata.name && input.metadata.name !== name) {
    throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (type.namespaced && input.metadata.namespace && input.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const rv = input.metadata.resourceVersion;
  // Without a resourceVersion the update is unconditional: a lost compare-and-set is retried on the newer object.
  for (let attempt = 0; ; attempt++) {
    const current = getStored(ctx, type, namespace, name);
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(type.resource, name, type.group);
    try {
      return await storeUpdate(ctx, type, current, input, target, options);
    } catch (err) {
      if (rv || !isConflict(err) || attempt >= 4) throw err;
    }
  }
}

/** True for a 409 Conflict (a lost compare-and-set). */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.reason === 'Conflict';
}
