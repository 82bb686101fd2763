/**
 * What differs between resources on the generic verbs, in the shape of k8s.io/apiserver's
 * registry strategies (`rest.RESTCreateStrategy`, `RESTUpdateStrategy`,
 * `RESTGracefulDeleteStrategy` and genericregistry.Store's BeginCreate/BeginUpdate/
 * AfterDelete hooks). The verb modules (object-create, object-update, object-delete, ...)
 * know no resource by name: they ask `strategyFor(type)` and call these hooks at the
 * points Kubernetes does. Optional hooks are absent where a resource has nothing to do.
 */
import type { KubeObject } from '@kemu/api';
import type { ApiContext } from '../context.js';

/** A subresource as discovery lists it. */
export interface Subresource {
  name: string;
  kind: string;
  verbs: string[];
  /** Group/version of the subresource's kind when it differs from the resource's. */
  group?: string;
  version?: string;
}

/** Which part of the object a write may change: the main resource, `/status`, or a namespace's `/finalize`. */
export type UpdateTarget = 'main' | 'status' | 'finalize';

/** A delete that marks the object (deletionTimestamp) and leaves the removal to someone else. */
export interface DeletionMark {
  /** Seconds from now to the deletionTimestamp (deletionGracePeriodSeconds). */
  graceSeconds: number;
  /** Further changes written together with the mark (a namespace turns Terminating). */
  mark?(obj: KubeObject): void;
}

/** Completes a write's side effect once it is known whether the object was stored (genericregistry's FinishFunc). */
export type FinishFunc = (stored: boolean) => Promise<void>;

/** The per-resource behaviour of create, update and delete. */
export interface ResourceStrategy {
  /** True when the resource has a `/status` subresource: the main endpoint keeps the stored status. */
  readonly hasStatus: boolean;
  /** Subresources other than status, as discovery lists them. */
  readonly subresources: readonly Subresource[];
  /** Subresources that are served but not discovered (a namespace's `finalize`). */
  readonly hiddenSubresources: readonly string[];
  /** Clears what a client may not set on create (PrepareForCreate); runs before defaulting and validation. */
  prepareForCreate(obj: KubeObject): void;
  /** Builds the object an update of `target` stores from the stored one and the request's (PrepareForUpdate). */
  prepareForUpdate(current: KubeObject, input: KubeObject, target: UpdateTarget): KubeObject;
  /** Brings a defaulted update in line with the stored object before validation, in place. */
  canonicalizeUpdate?(next: KubeObject, current: KubeObject, target: UpdateTarget): void;
  /** Reserves what a new object needs before it is written (a Service's ClusterIP), in place. */
  beginCreate?(ctx: ApiContext, obj: KubeObject): Promise<FinishFunc>;
  /** Reserves or frees what an update changes before it is written, in place. */
  beginUpdate?(ctx: ApiContext, next: KubeObject, current: KubeObject, target: UpdateTarget): Promise<FinishFunc>;
  /** Refuses a delete (a protected namespace) by throwing the Status; runs before dry-run returns. */
  validateDelete?(obj: KubeObject): void;
  /** A mark instead of removal (graceful pod deletion, namespace finalization); undefined removes at once. */
  prepareForDelete?(obj: KubeObject, gracePeriodSeconds: number | undefined): DeletionMark | undefined;
  /** Frees what the removed object held (a Service's ClusterIP). */
  afterDelete?(ctx: ApiContext, obj: KubeObject): Promise<void>;
}
