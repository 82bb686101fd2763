/**
 * The ClusterIP repair loop: deletes IPAddress objects whose Service is gone or holds
 * another address, once they are older than the grace period, so a crash between
 * allocation and Service creation (or a delete that left the address) leaks nothing.
 */
import type { IPAddress, Service } from '@kemu/api';
import { type Change, listObjects, onEveryChange } from '@kemu/eventlog';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { createQueuedController } from './queued-controller.js';
import { reconcileIPAddress } from './reconcile-ip-address.js';

/** Options of the IPAddress repair loop. */
export interface IPAddressGCOptions {
  /** Age an orphaned IPAddress must reach before it is deleted. */
  graceMs: number;
}

/** Creates the IPAddress garbage collector; its queue starts with start(). */
export function createIPAddressGC(deps: ControllerDeps, options: IPAddressGCOptions): Controller {
  const { informer, writer, now } = deps;
  // First sighting of addresses without a creationTimestamp, so their grace still runs.
  const firstSeen = new Map<string, Date>();
  const { controller, queue, log } = createQueuedController('ipaddress-gc', deps, {
    sync: syncIPAddress,
    observers: { ipaddresses: onEveryChange(recordFirstSeen) },
    handlers: {
      ipaddresses: { onAdd: enqueue, onUpdate: (_, ip) => enqueue(ip) },
      services: { onUpdate: (_, svc) => onServiceGoneOrChanged(svc), onDelete: onServiceGoneOrChanged },
    },
    enqueueAll,
  });

  // Also before start, so an address replayed at start-up keeps the time it was first seen.
  function recordFirstSeen(ip: IPAddress, _old: IPAddress | undefined, c: Change): void {
    const key = keyOf('ipaddresses', ip);
    if (c.type === 'DELETED') firstSeen.delete(key);
    else if (!firstSeen.has(key)) firstSeen.set(key, now());
  }

  function enqueue(ip: IPAddress): void {
    queue.add(keyOf('ipaddresses', ip));
  }

  // A Service that changed or went may have left its address.
  function onServiceGoneOrChanged(svc: Service): void {
    const namespace = svc.metadata.namespace ?? 'default';
    for (const ip of listObjects(informer.view, 'ipaddresses')) {
      const ref = ip.spec?.parentRef;
      if (ref?.resource === 'services' && ref.namespace === namespace && ref.name === svc.metadata.name) enqueue(ip);
    }
  }

  function enqueueAll(): void {
    for (const ip of listObjects(informer.view, 'ipaddresses')) queue.add(keyOf('ipaddresses', ip));
  }

  async function syncIPAddress(key: string): Promise<void> {
    const ip = informer.lister('ipaddresses').byKey(key);
    if (!ip) return;
    const ref = ip.spec?.parentRef;
    const service = ref
      ? (informer.view.objects.get(keyOf('services', { metadata: { namespace: ref.namespace, name: ref.name } })) as
          | Service
          | undefined)
      : undefined;
    const verdict = reconcileIPAddress(ip, service, now(), options.graceMs, firstSeen.get(key));
    if (verdict.action === 'wait') queue.addAfter(key, verdict.delayMs + 50);
    if (verdict.action !== 'delete') return;
    await writer.remove(parseKey(key), ip, Number(ip.metadata.resourceVersion));
    log.info(
      { ip: ip.metadata.name, service: `${ref?.namespace}/${ref?.name}`, reason: verdict.reason },
      'orphaned ipaddress deleted',
    );
  }

  return controller;
}
