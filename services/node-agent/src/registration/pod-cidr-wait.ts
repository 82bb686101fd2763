/**
 * A node started without KEMU_POD_CIDR (a node that joins from another machine) takes
 * the pod CIDR the controller's node IPAM writes into its Node, as a kubelet with
 * --pod-cidr unset does; until then it cannot set up its pod bridge or run pods.
 */
import type { Node } from '@kemu/api';
import { getObject, type Informer } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';

/** Resolves with the Node's spec.podCIDR as soon as the view has one. */
export function waitForPodCidr(informer: Informer, node: string, log: Logger): Promise<string> {
  const key = { resource: 'nodes' as const, namespace: '', name: node };
  const current = () => getObject(informer.view, key)?.spec?.podCIDR;
  const now = current();
  if (now) return Promise.resolve(now);
  log.info({ object: node }, 'waiting for the controller to assign a pod CIDR');
  return new Promise((resolve) => {
    const seen = (n: Node) => {
      const cidr = n.metadata.name === node ? n.spec?.podCIDR : undefined;
      if (!cidr) return;
      remove();
      resolve(cidr);
    };
    const remove = informer.on('nodes', { onAdd: seen, onUpdate: (_, n) => seen(n) });
  });
}
