/**
 * Controller references (metav1.OwnerReference with controller=true): which object
 * manages another, as the ReplicaSet and Deployment controllers and their garbage
 * collection read and write them.
 */
import type { KubeObject, OwnerReference } from '@kemu/api';

/** The object's controller reference, if it has one (metav1.GetControllerOf). */
export function controllerRefOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** A controller reference to `owner` (metav1.NewControllerRef). */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
