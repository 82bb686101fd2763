/**
 * The endpoints controller: keeps each selector Service's core/v1 Endpoints equal to
 * what reconcileEndpoints computes from the view, and deletes the Endpoints of deleted
 * Services. Queue keys are Service keys; handlers only enqueue them.
 */
import type { Endpoints } from '@kemu/api';
import { listObjects, onEveryChange } from '@kemu/eventlog';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { withCreationMetadata } from './creation-metadata.js';
import { createQueuedController } from './queued-controller.js';
import { reconcileEndpoints } from './reconcile-endpoints.js';
import { serviceKeyHandlers } from './service-keys.js';

/** Creates the endpoints controller; its queue starts with start(). */
export function createEndpointsController(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  const { controller, queue, log } = createQueuedController('endpoints', deps, {
    sync: syncService,
    enqueueAll,
    handlers: {
      ...serviceKeyHandlers(informer.view, (k) => queue.add(k)),
      endpoints: onEveryChange(onEndpointsChange),
    },
  });

  // A changed or deleted Endpoints of an existing Service is put back; an Endpoints
  // without a Service is left to the relist, as Kubernetes leaves it to its start-up check.
  function onEndpointsChange(endpoints: Endpoints): void {
    const key = keyOf('services', endpoints);
    if (informer.view.objects.has(key)) queue.add(key);
  }

  function enqueueAll(): void {
    for (const svc of listObjects(informer.view, 'services')) queue.add(keyOf('services', svc));
    for (const ep of listObjects(informer.view, 'endpoints')) queue.add(keyOf('services', ep));
  }

  async function syncService(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const epKey = { resource: 'endpoints', namespace, name };
    const service = informer.lister('services').byKey(key);
    const existing = informer.lister('endpoints').get(namespace, name);
    const pods = listObjects(informer.view, 'pods', namespace);
    const plan = reconcileEndpoints(service, pods, existing);
    const svcLog = log.child({ service: `${namespace}/${name}` });
    switch (plan.action) {
      case 'none':
        return;
      case 'create':
        await writer.put(epKey, withCreationMetadata(plan.endpoints, now()));
        svcLog.info({ subsets: plan.endpoints.subsets?.length ?? 0 }, 'endpoints created');
        return;
      case 'update':
        await writer.put(epKey, plan.endpoints, Number(existing?.metadata.resourceVersion));
        svcLog.info({ subsets: plan.endpoints.subsets?.length ?? 0 }, 'endpoints updated');
        return;
      case 'delete':
        await writer.remove(epKey, plan.endpoints, Number(existing?.metadata.resourceVersion));
        svcLog.info('endpoints deleted');
        return;
    }
  }

  return controller;
}
