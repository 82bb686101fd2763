/**
 * Update (PUT, and the write half of PATCH). The resource's strategy builds the object to
 * store (the stored identity kept; the main resource cannot change status and `/status`
 * can change nothing but status) and canonicalizes it after defaults (a Service keeps the
 * ClusterIPs a client left out); then validation against the old object; generation
 * moves when the spec does; an unchanged object is not written again. The write is a
 * compare-and-set on the resourceVersion the update was based on (409 Conflict when it
 * moved), between the strategy's beginUpdate and its finish.
 */
import {
  ApiError,
  type KubeObject,
  type ObjectKey,
  type ResourceType,
  badRequest,
  conflict,
  defaultObject,
  invalid,
  validateObject,
} from '@kemu/api';
import { isDeepStrictEqual } from 'node:util';
import type { ApiContext } from '../context.js';
import { getStored } from './object-read.js';
import type { UpdateTarget } from '../strategies/resource-strategy.js';
import { strategyFor } from '../strategies/strategy-registry.js';
import { type WriteOptions, asObjectOf, checkUnknownFields, writeFailure } from './write-options.js';

function specOf(o: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

function withoutVersion(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...meta } = o.metadata;
  return { ...o, metadata: meta } as KubeObject;
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
  const strategy = strategyFor(type);
  let next = defaultObject(strategy.prepareForUpdate(current, input, target));
  strategy.canonicalizeUpdate?.(next, current, target);
  const causes = validateObject(next, current);
  if (causes.length > 0) throw invalid(type.kind, key.name, causes, type.group);
  if (!isDeepStrictEqual(specOf(next), specOf(current)))
    next.metadata.generation = (current.metadata.generation ?? 0) + 1;
  if (isDeepStrictEqual(withoutVersion(next), withoutVersion(current))) return current;
  if (options.dryRun) return next;

  const finish = await strategy.beginUpdate?.(ctx, next, current, target);
  try {
    next = await ctx.writer.put(key, next, Number(current.metadata.resourceVersion));
  } catch (err) {
    await finish?.(false);
    throw writeFailure(err, type, key.name);
  }
  await finish?.(true);
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
