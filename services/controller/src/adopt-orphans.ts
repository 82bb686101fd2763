/**
 * Adoption, as Kubernetes' ControllerRefManager does it: an object without a controller
 * that the owner's selector matches (and that is not being deleted) gets a controller
 * reference to the owner, so a ReplicaSet recreated after `--cascade=orphan` takes its
 * pods back instead of starting new ones.
 */
import { type KubeObject, type LabelSelectorObject, type ResourceTypes, matchLabelSelectorObject } from '@kemu/api';
import { type View, listObjects } from '@kemu/eventlog';
import { controllerRefOf, newControllerRef } from './controller-ref.js';
import type { ControllerDeps } from './controller.js';

/** Objects of `resource` in `namespace` with no controller that `selector` matches. */
export function orphansFor<R extends 'pods' | 'replicasets'>(
  view: View,
  resource: R,
  namespace: string,
  selector: LabelSelectorObject,
): ResourceTypes[R][] {
  return orphansAmong(listObjects(view, resource, namespace), selector);
}

/** orphansFor over given candidates (an index of objects without a controller) instead of the whole namespace. */
export function orphansAmong<T extends KubeObject>(candidates: readonly T[], selector: LabelSelectorObject): T[] {
  const empty = !selector.matchLabels && !selector.matchExpressions;
  if (empty) return [];
  return candidates.filter(
    (o) =>
      !controllerRefOf(o) && !o.metadata.deletionTimestamp && matchLabelSelectorObject(selector, o.metadata.labels),
  );
}

/** Owners of `resource` in the object's namespace whose selector matches it (for queueing an orphan's change). */
export function ownersSelecting<R extends 'replicasets' | 'deployments'>(
  view: View,
  resource: R,
  object: KubeObject,
): ResourceTypes[R][] {
  if (controllerRefOf(object)) return [];
  return listObjects(view, resource, object.metadata.namespace ?? 'default').filter((o) =>
    matchLabelSelectorObject(o.spec.selector, object.metadata.labels),
  );
}

/** Gives each orphan a controller reference to `owner`; returns those adopted (as stored). */
export async function adoptOrphans<R extends 'pods' | 'replicasets'>(
  deps: Pick<ControllerDeps, 'writer'>,
  resource: R,
  owner: KubeObject,
  orphans: readonly ResourceTypes[R][],
): Promise<ResourceTypes[R][]> {
  const adopted: ResourceTypes[R][] = [];
  for (const o of orphans) {
    const key = { resource, namespace: o.metadata.namespace ?? 'default', name: o.metadata.name };
    const stored = await deps.writer.update(key, (cur) => {
      if (cur.metadata.uid !== o.metadata.uid || controllerRefOf(cur) || cur.metadata.deletionTimestamp)
        return undefined;
      cur.metadata.ownerReferences = [...(cur.metadata.ownerReferences ?? []), newControllerRef(owner)];
      return cur;
    });
    if (stored) adopted.push(stored);
  }
  return adopted;
}
