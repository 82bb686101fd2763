/**
 * Delete. The resource's strategy may refuse it (a system namespace) or turn it into a
 * mark: deletionTimestamp (now + grace) and deletionGracePeriodSeconds are set and
 * someone else removes the object later (a bound pod's node-agent after stopping its
 * containers; the namespace finalizer after emptying a Terminating namespace). Otherwise
 * the object is removed at once and the strategy frees what it held (a Service's
 * ClusterIP). After a removal, dependents (ownerReferences to the deleted uid) are
 * deleted too unless the policy is Orphan.
 */
import {
  ApiError,
  type KubeObject,
  type ObjectKey,
  type ResourceType,
  conflict,
  keyString,
  resourceByName,
} from '@kemu/api';
import { ConflictError } from '@kemu/eventlog';
import type { ApiContext } from '../context.js';
import { getStored } from './object-read.js';
import { strategyFor } from '../strategies/strategy-registry.js';
import { rfc3339 } from './timestamps.js';
import { writeFailure } from './write-options.js';

/** metav1.DeleteOptions, the parts kemu honours. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

function checkPreconditions(type: ResourceType, current: KubeObject, pre: DeleteOptions['preconditions']): void {
  if (pre?.uid && pre.uid !== current.metadata.uid) {
    throw conflict(
      type.resource,
      current.metadata.name,
      type.group,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      type.resource,
      current.metadata.name,
      type.group,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`,
    );
  }
}

function keyOf(type: ResourceType, o: KubeObject): ObjectKey {
  return {
    resource: type.resource,
    namespace: type.namespaced ? (o.metadata.namespace ?? '') : '',
    name: o.metadata.name,
  };
}

/** Removes the object now (retrying a compare-and-set lost to a concurrent write); returns its final state. */
async function removeNow(ctx: ApiContext, type: ResourceType, current: KubeObject): Promise<KubeObject> {
  const key = keyOf(type, current);
  let obj = current;
  for (let attempt = 0; ; attempt++) {
    try {
      const seq = await ctx.writer.remove(key, obj, Number(obj.metadata.resourceVersion));
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(seq) } };
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 4) throw writeFailure(err, type, key.name);
      const latest = ctx.informer.view.objects.get(keyString(key));
      if (!latest) return obj;
      obj = latest;
    }
  }
}

/** Marks the object as being deleted (deletionTimestamp set), unless a shorter or equal grace is already set. */
async function markDeleting(
  ctx: ApiContext,
  type: ResourceType,
  current: KubeObject,
  grace: number,
  extra?: (o: KubeObject) => void,
): Promise<KubeObject> {
  const key = keyOf(type, current);
  const stored = await ctx.writer.update(key, (o) => {
    const meta = o.metadata;
    if (meta.deletionTimestamp && (meta.deletionGracePeriodSeconds ?? 0) <= grace) return undefined;
    meta.deletionTimestamp = rfc3339(ctx.clock() + grace * 1000);
    meta.deletionGracePeriodSeconds = grace;
    extra?.(o);
    return o;
  });
  return stored ?? ctx.informer.view.objects.get(keyString(key)) ?? current;
}

/** Deletes one object with Kubernetes semantics; returns the object to reply with. */
export async function deleteObject(
  ctx: ApiContext,
  type: ResourceType,
  namespace: string,
  name: string,
  options: DeleteOptions,
): Promise<KubeObject> {
  const current = getStored(ctx, type, namespace, name);
  checkPreconditions(type, current, options.preconditions);
  const strategy = strategyFor(type);
  strategy.validateDelete?.(current);
  if (options.dryRun) return current;

  const deletion = strategy.prepareForDelete?.(current, options.gracePeriodSeconds);
  if (deletion) return markDeleting(ctx, type, current, deletion.graceSeconds, deletion.mark);
  const result = await removeNow(ctx, type, current);
  await strategy.afterDelete?.(ctx, current);
  await deleteDependents(ctx, current, options.propagationPolicy ?? 'Background');
  return result;
}

/** Deletes (or, for Orphan, releases) the objects whose ownerReferences name the deleted object's uid. */
async function deleteDependents(ctx: ApiContext, owner: KubeObject, policy: string): Promise<void> {
  const uid = owner.metadata.uid;
  if (!uid) return;
  for (const [key, obj] of [...ctx.informer.view.objects]) {
    const refs = obj.metadata.ownerReferences ?? [];
    if (!refs.some((r) => r.uid === uid)) continue;
    const type = resourceByName(key.split('/')[0] ?? '');
    if (!type) continue;
    try {
      if (policy === 'Orphan') {
        await ctx.writer.update(keyOf(type, obj), (o) => {
          o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
          return o;
        });
      } else if (!obj.metadata.deletionTimestamp) {
        await deleteObject(ctx, type, obj.metadata.namespace ?? '', obj.metadata.name, {
          propagationPolicy: 'Background',
        });
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) ctx.log.warn({ err, key }, 'deleting a dependent failed');
    }
  }
}
