/**
 * Delete. Pods bound to a node are deleted gracefully: the apiserver only sets
 * deletionTimestamp (now + grace) and deletionGracePeriodSeconds, the node-agent stops
 * the containers and then removes the pod; an unbound or finished pod, or grace 0, is
 * removed at once. A namespace turns Terminating and the namespace finalizer empties and
 * removes it. Everything else is removed at once (a Service also releases its ClusterIP).
 * Dependents (ownerReferences to the deleted uid) are deleted too unless the policy is Orphan.
 */
import {
  ApiError,
  type KubeObject,
  type ObjectKey,
  type Pod,
  type ResourceType,
  type Service,
  conflict,
  keyString,
  resourceByName,
} from '@kemu/api';
import { ConflictError } from '@kemu/eventlog';
import type { ApiContext } from './context.js';
import { forbiddenError } from './http-io.js';
import { getStored } from './object-read.js';
import { rfc3339 } from './timestamps.js';
import { writeFailure } from './write-options.js';

/** metav1.DeleteOptions, the parts kemu honours. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** The default terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;

const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

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

/** The grace period a pod delete gets: 0 for unbound or finished pods. */
export function podGracePeriod(pod: Pod, requested: number | undefined): number {
  const phase = pod.status?.phase;
  if (!pod.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const grace = requested ?? pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  return Math.max(0, grace);
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
  if (type.resource === 'namespaces' && PROTECTED_NAMESPACES.has(name)) {
    throw forbiddenError('namespaces', name, 'this namespace may not be deleted');
  }
  if (options.dryRun) return current;

  let result: KubeObject;
  if (type.resource === 'pods') {
    const grace = podGracePeriod(current as Pod, options.gracePeriodSeconds);
    result = grace > 0 ? await markDeleting(ctx, type, current, grace) : await removeNow(ctx, type, current);
    if (grace > 0) return result;
  } else if (type.resource === 'namespaces') {
    return markDeleting(ctx, type, current, 0, (o) => {
      o.status = { ...((o.status as Record<string, unknown>) ?? {}), phase: 'Terminating' };
    });
  } else {
    result = await removeNow(ctx, type, current);
    if (type.resource === 'services') {
      const ip = (current as Service).spec?.clusterIP;
      if (ip && ip !== 'None') await ctx.allocator.release(ip, { namespace, name });
    }
  }
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
