/**
 * The node IPAM controller (Kubernetes' nodeipam with the RangeAllocator): a Node that
 * has no spec.podCIDR gets the next free block of the cluster CIDR, written to
 * spec.podCIDR and spec.podCIDRs with compare-and-set. The taken blocks are read from
 * the view at each sync (one queue worker, and each write waits until the view has it),
 * so CIDRs nodes registered with are respected and a deleted Node frees its block.
 */
import type { Node } from '@kemu/api';
import { listObjects } from '@kemu/eventlog';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { nextFreePodCidr, type PodCidrRange } from './pod-cidr-allocator.js';
import { createQueuedController } from './queued-controller.js';

/** The pod CIDR of a Node in the view, if it has one. */
export function nodePodCidrs(node: Node): string[] {
  const cidrs = [...(node.spec?.podCIDRs ?? [])];
  if (node.spec?.podCIDR && !cidrs.includes(node.spec.podCIDR)) cidrs.push(node.spec.podCIDR);
  return cidrs;
}

/** The Node with `cidr` as its pod CIDR, or undefined when it already has one. */
export function reconcileNodePodCidr(node: Node, others: readonly Node[], range: PodCidrRange): Node | undefined {
  if (nodePodCidrs(node).length > 0) return undefined;
  const taken = others.filter((n) => n.metadata.name !== node.metadata.name).flatMap(nodePodCidrs);
  const cidr = nextFreePodCidr(range, taken);
  return { ...node, spec: { ...node.spec, podCIDR: cidr, podCIDRs: [cidr] } };
}

/** Creates the node IPAM controller for `range`. */
export function createNodeIpamController(deps: ControllerDeps, range: PodCidrRange): Controller {
  const { informer, writer } = deps;
  const { controller, queue, log } = createQueuedController('node-ipam', deps, {
    sync: syncNode,
    handlers: {
      nodes: {
        onAdd: (node) => queue.add(keyOf('nodes', node)),
        onUpdate: (_, node) => queue.add(keyOf('nodes', node)),
        // A freed block may be what a waiting node needs.
        onDelete: () => enqueueAll(),
      },
    },
    enqueueAll,
  });

  function enqueueAll(): void {
    for (const node of listObjects(informer.view, 'nodes')) {
      if (nodePodCidrs(node).length === 0) queue.add(keyOf('nodes', node));
    }
  }

  async function syncNode(key: string): Promise<void> {
    const node = informer.lister('nodes').byKey(key);
    if (!node) return;
    const next = reconcileNodePodCidr(node, listObjects(informer.view, 'nodes'), range);
    if (!next) return;
    await writer.put(parseKey(key), next, Number(node.metadata.resourceVersion));
    log.info({ node: node.metadata.name, podCIDR: next.spec?.podCIDR }, 'pod CIDR allocated to node');
  }

  return controller;
}
