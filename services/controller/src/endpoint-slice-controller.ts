/**
 * The EndpointSlice controller: keeps each selector Service's slices equal to what
 * reconcileEndpointSlices computes, and deletes the slices of deleted Services (the
 * garbage collection their ownerReferences ask for). Queue keys are Service keys. The
 * Service's pods come from the shared ServicePodIndex and its slices from an index by
 * Service; its endpoint groups are reused while the Service object, its pods' version and
 * the nodes' zones are unchanged (the sync after its own writes, a resync).
 */
import {
  type EndpointSlice,
  MANAGED_BY_LABEL,
  type Node,
  SERVICE_NAME_LABEL,
  type Service,
  ZONE_LABEL,
} from '@kemu/api';
import { type Change, listObjects, onEveryChange } from '@kemu/eventlog';
import { randomInt } from 'node:crypto';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { withCreationMetadata } from './creation-metadata.js';
import { createQueuedController } from './queued-controller.js';
import {
  ENDPOINTSLICE_CONTROLLER,
  type EndpointGroup,
  endpointGroups,
  isManagedSliceOf,
  planEndpointSlices,
} from './reconcile-endpoint-slices.js';
import { serviceKeyHandlers } from './service-keys.js';
import { servicePodIndex } from './service-pod-index.js';
import { hasSelector } from './service-pods.js';

/** The index of managed slices by their Service's key. */
const SLICES_BY_SERVICE = 'kemu.endpointslice.service';

// The alphabet of Kubernetes' generateName suffixes (no vowels, no confusable characters).
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Creates the EndpointSlice controller; its queue starts with start(). */
export function createEndpointSliceController(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  const services = informer.lister('services');
  const nodes = informer.lister('nodes');
  const index = servicePodIndex(informer);
  informer.addIndex('endpointslices', SLICES_BY_SERVICE, (slice) => {
    const svc = serviceOfSlice(slice);
    return svc ? [svc] : [];
  });
  const slices = informer.lister('endpointslices');
  /** Bumped when a node's zone changes, which every endpoint on it shows. */
  let zoneVersion = 0;
  /** The last endpoint groups per Service key, with what they were computed from. */
  const groupCache = new Map<
    string,
    { service: Service; version: number; zoneVersion: number; groups: readonly EndpointGroup[] }
  >();
  const { controller, queue, log } = createQueuedController('endpointslice', deps, {
    sync: syncService,
    handlers: {
      ...serviceKeyHandlers(index, (k) => queue.add(k)),
      endpointslices: onEveryChange(onSliceChange),
      nodes: onEveryChange(onNodeChange),
    },
    enqueueAll,
  });

  function onSliceChange(slice: EndpointSlice): void {
    const svc = serviceOfSlice(slice);
    if (svc) queue.add(svc);
  }

  // Only a node's zone label shows in slices.
  function onNodeChange(node: Node, old: Node | undefined, c: Change): void {
    const before = old?.metadata.labels?.[ZONE_LABEL];
    const after = c.type === 'DELETED' ? undefined : node.metadata.labels?.[ZONE_LABEL];
    if (before === after) return;
    zoneVersion++;
    for (const svc of listObjects(informer.view, 'services')) if (hasSelector(svc)) queue.add(keyOf('services', svc));
  }

  function enqueueAll(): void {
    for (const svc of listObjects(informer.view, 'services')) queue.add(keyOf('services', svc));
    for (const slice of listObjects(informer.view, 'endpointslices')) onSliceChange(slice);
  }

  function generateName(namespace: string): (prefix: string) => string {
    return (prefix) => {
      for (;;) {
        let suffix = '';
        for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
        const name = `${prefix}${suffix}`;
        if (!informer.view.objects.has(keyOf('endpointslices', { metadata: { namespace, name } }))) return name;
      }
    };
  }

  async function syncService(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const service = services.byKey(key);
    const existing = slices.byIndex(SLICES_BY_SERVICE, key).filter((s) => isManagedSliceOf(s, namespace, name));
    const plan = planEndpointSlices({ service, existing, generateName: generateName(namespace) }, (svc) =>
      groupsOf(key, svc),
    );
    if (!service) groupCache.delete(key);
    const svcLog = log.child({ service: `${namespace}/${name}` });
    // Creates and updates before deletes, so a Service never passes through "no slices".
    for (const slice of plan.create) {
      await writer.put(sliceKey(slice), withCreationMetadata(slice, now()));
      svcLog.info({ slice: slice.metadata.name, endpoints: slice.endpoints?.length ?? 0 }, 'endpointslice created');
    }
    for (const slice of plan.update) {
      await writer.put(sliceKey(slice), slice, Number(slice.metadata.resourceVersion));
      svcLog.info({ slice: slice.metadata.name, endpoints: slice.endpoints?.length ?? 0 }, 'endpointslice updated');
    }
    for (const slice of plan.delete) {
      await writer.remove(sliceKey(slice), slice, Number(slice.metadata.resourceVersion));
      svcLog.info({ slice: slice.metadata.name }, 'endpointslice deleted');
    }
  }

  function groupsOf(key: string, service: Service): readonly EndpointGroup[] {
    const version = index.version(key);
    const cached = groupCache.get(key);
    if (cached && cached.service === service && cached.version === version && cached.zoneVersion === zoneVersion)
      return cached.groups;
    const zoneOf = (node: string) => nodes.get('', node)?.metadata.labels?.[ZONE_LABEL];
    const groups = endpointGroups(service, index.podsOf(key), zoneOf);
    groupCache.set(key, { service, version, zoneVersion, groups });
    return groups;
  }

  return controller;
}

function sliceKey(slice: EndpointSlice) {
  return { resource: 'endpointslices', namespace: slice.metadata.namespace ?? 'default', name: slice.metadata.name };
}

function serviceOfSlice(slice: EndpointSlice): string | undefined {
  const labels = slice.metadata.labels ?? {};
  const name = labels[SERVICE_NAME_LABEL];
  if (!name || labels[MANAGED_BY_LABEL] !== ENDPOINTSLICE_CONTROLLER) return undefined;
  return keyOf('services', { metadata: { namespace: slice.metadata.namespace ?? 'default', name } });
}
