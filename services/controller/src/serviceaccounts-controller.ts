/**
 * The serviceaccounts controller, as kube-controller-manager's: every active namespace
 * has a `default` ServiceAccount; one that is missing (a new namespace, or the account
 * deleted) is created again. Writes with compare-and-set on the account's subject, so a
 * racing writer makes this a conflict and a retry, never a duplicate.
 */
import type { Namespace, ServiceAccount } from '@kemu/api';
import { expectedSeq, listObjects } from '@kemu/eventlog';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { withCreationMetadata } from './creation-metadata.js';
import { isNamespaceActive } from './namespace-active.js';
import { createQueuedController } from './queued-controller.js';

/** The ServiceAccount every namespace gets. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** Creates the controller; its queue (of namespace keys) starts with start(). */
export function createServiceAccountsController(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  const { controller, queue, log } = createQueuedController('serviceaccounts', deps, {
    sync: syncNamespace,
    handlers: {
      namespaces: { onAdd: enqueue },
      serviceaccounts: { onDelete: (sa: ServiceAccount) => enqueueName(sa.metadata.namespace ?? '') },
    },
    enqueueAll,
  });

  function enqueue(ns: Namespace): void {
    queue.add(keyOf('namespaces', ns));
  }

  function enqueueName(namespace: string): void {
    queue.add(keyOf('namespaces', { metadata: { name: namespace } }));
  }

  function enqueueAll(): void {
    for (const ns of listObjects(informer.view, 'namespaces')) enqueue(ns);
  }

  async function syncNamespace(key: string): Promise<void> {
    const { name: namespace } = parseKey(key);
    if (!isNamespaceActive(informer.view, namespace)) return;
    const saKey = { resource: 'serviceaccounts', namespace, name: DEFAULT_SERVICE_ACCOUNT };
    if (informer.lister('serviceaccounts').get(namespace, DEFAULT_SERVICE_ACCOUNT)) return;
    const sa: ServiceAccount = withCreationMetadata(
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } },
      now(),
    );
    await writer.put(saKey, sa, expectedSeq(informer.view, saKey));
    log.info({ namespace }, 'default serviceaccount created');
  }

  return controller;
}
