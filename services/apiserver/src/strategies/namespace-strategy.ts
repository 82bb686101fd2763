/**
 * Namespaces: status and the `finalize` subresource (which changes only
 * spec.finalizers), the system namespaces cannot be deleted, and a delete only turns the
 * namespace Terminating: the namespace finalizer empties and then removes it.
 */
import type { KubeObject } from '@kemu/api';
import { forbiddenError } from '../http/http-io.js';
import { statusStrategy } from './default-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';

const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/** The object a `/finalize` update stores: the stored one with the request's spec.finalizers. */
function finalizeUpdate(current: KubeObject, input: KubeObject): KubeObject {
  const spec = {
    ...((current.spec as Record<string, unknown>) ?? {}),
    finalizers: (input.spec as { finalizers?: unknown })?.finalizers ?? [],
  };
  return { ...structuredClone(current), spec };
}

/** The strategy of namespaces. */
export const namespaceStrategy: ResourceStrategy = {
  ...statusStrategy,
  hiddenSubresources: ['finalize'],
  prepareForUpdate(current, input, target) {
    if (target === 'finalize') return finalizeUpdate(current, input);
    return statusStrategy.prepareForUpdate(current, input, target);
  },
  validateDelete(obj) {
    const name = obj.metadata.name;
    if (PROTECTED_NAMESPACES.has(name)) throw forbiddenError('namespaces', name, 'this namespace may not be deleted');
  },
  prepareForDelete() {
    return {
      graceSeconds: 0,
      mark(o) {
        o.status = { ...((o.status as Record<string, unknown>) ?? {}), phase: 'Terminating' };
      },
    };
  },
};
