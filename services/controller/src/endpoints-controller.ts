/**
 * The endpoints controller: keeps each selector Service's core/v1 Endpoints equal to
 * what reconcileEndpoints computes from the view, and deletes the Endpoints of deleted
 * Services. Queue keys are Service keys; handlers only enqueue them. The Service's pods
 * come from the shared ServicePodIndex, and its desired subsets are reused while neither
 * the Service object nor its pods' version changed (the sync after its own write, a
 * resync), so such a sync costs a comparison, not a sort of every address.
 */
import type { Endpoints, Service } from '@kemu/api';
import { listObjects, onEveryChange } from '@kemu/eventlog';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { withCreationMetadata } from './creation-metadata.js';
import { createQueuedController } from './queued-controller.js';
import { type DesiredEndpoints, desiredEndpoints, planEndpoints } from './reconcile-endpoints.js';
import { serviceKeyHandlers } from './service-keys.js';
import { servicePodIndex } from './service-pod-index.js';

/** Creates the endpoints controller; its queue starts with start(). */
export function createEndpointsController(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  const index = servicePodIndex(informer);
  /** The last desired subsets per Service key, with the Service object and pods version they came from. */
  const desiredCache = new Map<string, { service: Service; version: number; desired: DesiredEndpoints }>();
  const { controller, queue, log } = createQueuedController('endpoints', deps, {
    sync: syncService,
    enqueueAll,
    handlers: {
      ...serviceKeyHandlers(index, (k) => queue.add(k)),
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
    const plan = planEndpoints(service, existing, (svc) => desiredOf(key, svc));
    if (!service) desiredCache.delete(key);
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

  function desiredOf(key: string, service: Service): DesiredEndpoints {
    const version = index.version(key);
    const cached = desiredCache.get(key);
    if (cached && cached.service === service && cached.version === version) return cached.desired;
    const desired = desiredEndpoints(service, index.podsOf(key));
    desiredCache.set(key, { service, version, desired });
    return desired;
  }

  return controller;
}
