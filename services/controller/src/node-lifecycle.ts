/**
 * The node lifecycle controller: every monitor period it checks each Node's heartbeat;
 * a node silent for longer than the grace period is set Ready=Unknown and the pods bound
 * to it are set Ready=False, so they leave Endpoints and EndpointSlices stop calling
 * them ready. The node-agent sets both back when it reports again.
 */
import type { Node, Pod } from '@kemu/api';
import { type Change, listObjects } from '@kemu/eventlog';
import { isPodReady } from './conditions.js';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { isNodeUnreachable, markPodNotReady, reconcileNodeHealth } from './node-health.js';
import { createQueuedController } from './queued-controller.js';

/** Timing of the node lifecycle controller. */
export interface NodeLifecycleOptions {
  /** How long a node may go without a heartbeat (Kubernetes: 40 s). */
  graceMs: number;
  /** How often every node is checked (Kubernetes: 5 s). */
  monitorPeriodMs: number;
}

/** Creates the node lifecycle controller; its queue and monitor timer start with start(). */
export function createNodeLifecycleController(deps: ControllerDeps, options: NodeLifecycleOptions): Controller {
  const { informer, writer, now } = deps;
  let timer: NodeJS.Timeout | undefined;
  const { controller, queue, log } = createQueuedController('node-lifecycle', deps, {
    sync: syncNode,
    onChange,
    enqueueAll,
    onStart() {
      timer = setInterval(enqueueAll, options.monitorPeriodMs);
      timer.unref();
    },
    onStop() {
      if (timer) clearInterval(timer);
    },
  });

  function onChange(c: Change): void {
    if (c.type === 'DELETED') return;
    if (c.key.resource === 'nodes') queue.add(keyOf('nodes', c.object));
    else if (c.key.resource === 'pods') {
      // A pod turning Ready on a silent node is turned back.
      const pod = c.object as Pod;
      if (pod.spec.nodeName && isPodReady(pod)) queue.add(keyOf('nodes', { metadata: { name: pod.spec.nodeName } }));
    }
  }

  function enqueueAll(): void {
    for (const node of listObjects<Node>(informer.view, 'nodes')) queue.add(keyOf('nodes', node));
  }

  async function syncNode(key: string): Promise<void> {
    const node = informer.view.objects.get(key) as Node | undefined;
    if (!node) return;
    const nodeLog = log.child({ node: node.metadata.name });
    let current = node;
    const next = reconcileNodeHealth(node, now(), options.graceMs);
    if (next) {
      await writer.put(parseKey(key), next, Number(node.metadata.resourceVersion));
      nodeLog.warn({ graceMs: options.graceMs }, 'node stopped posting status, marked Ready=Unknown');
      current = next;
    }
    if (!isNodeUnreachable(current)) return;
    for (const pod of listObjects<Pod>(informer.view, 'pods')) {
      if (pod.spec.nodeName !== node.metadata.name) continue;
      const notReady = markPodNotReady(pod, now());
      if (!notReady) continue;
      await writer.put(parseKey(keyOf('pods', pod)), notReady, Number(pod.metadata.resourceVersion));
      nodeLog.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'pod marked not ready');
    }
  }

  return controller;
}
