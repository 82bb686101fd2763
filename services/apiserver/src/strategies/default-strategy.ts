/**
 * The strategy of resources without special behaviour, and the one of resources with a
 * `/status` subresource that the specific strategies build on. An update of the main
 * resource keeps the stored identity (uid, creationTimestamp, generation, deletion
 * fields) and, with a status subresource, the stored status; an update of `/status`
 * changes nothing but status.
 */
import { type KubeObject, methodNotAllowed } from '@kemu/api';
import type { ResourceStrategy, UpdateTarget } from './resource-strategy.js';

/** The object a main-resource update stores: the request's, with the stored identity (and status when `keepStatus`). */
export function mainUpdate(current: KubeObject, input: KubeObject, keepStatus: boolean): KubeObject {
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
  if (keepStatus) {
    if (current.status !== undefined) next.status = structuredClone(current.status);
    else delete next.status;
  }
  return next;
}

/** The object a `/status` update stores: the stored one with the request's status. */
export function statusUpdate(current: KubeObject, input: KubeObject): KubeObject {
  return { ...structuredClone(current), status: structuredClone(input.status) };
}

function prepareForUpdate(hasStatus: boolean) {
  return (current: KubeObject, input: KubeObject, target: UpdateTarget): KubeObject => {
    if (target === 'main') return mainUpdate(current, input, hasStatus);
    // The router admits only the subresources a strategy lists; a strategy with more overrides this.
    if (target === 'status' && hasStatus) return statusUpdate(current, input);
    throw methodNotAllowed();
  };
}

/** Resources whose verbs have no special behaviour (configmaps, secrets, events, endpoints, ...). */
export const defaultStrategy: ResourceStrategy = {
  hasStatus: false,
  subresources: [],
  hiddenSubresources: [],
  prepareForCreate() {},
  prepareForUpdate: prepareForUpdate(false),
};

/** Resources with a `/status` subresource: a create drops the client's status, the main endpoint keeps the stored one. */
export const statusStrategy: ResourceStrategy = {
  hasStatus: true,
  subresources: [],
  hiddenSubresources: [],
  prepareForCreate(obj) {
    delete obj.status;
  },
  prepareForUpdate: prepareForUpdate(true),
};
