/**
 * The node lifecycle controller: every monitor period it checks each Node's heartbeat;
 * a node silent for longer than the grace period is set Ready=Unknown and the pods bound
 * to it are set Ready=False, so they leave Endpoints and EndpointSlices stop calling
 * them ready. The node-agent sets both back when it reports again. A node whose Ready
 * has not been True for longer than the eviction toleration (Kubernetes: the pods'
 * default 300 s toleration of the not-ready/unreachable NoExecute taints) has its pods
 * evicted: marked DisruptionTarget and deleted gracefully, with a TaintManagerEviction
 * event; their node-agent finishes the delete when it reports again. Mirror pods are
 * never evicted, and a node's eviction rounds after the first are paced by a backoff
 * (node-lifecycle-eviction-backoff.ts), so a stale view cannot loop on eviction writes.
 */
import type { Node, Pod } from '@kemu/api';
import { POD_NODE_NAME_INDEX, listObjects, podNodeName } from '@kemu/eventlog';
import { createEventRecorder, objectReference } from '@kemu/event-recorder';
import { isPodReady } from './conditions.js';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { relatedEvents } from './related-events.js';
import {
  evictPod,
  heartbeatDeadline,
  isNodeUnreachable,
  markPodNotReady,
  notReadyForMs,
  reconcileNodeHealth,
} from './node-health.js';
import { createEvictionBackoff } from './node-lifecycle-eviction-backoff.js';
import { createQueuedController } from './queued-controller.js';

/** Timing of the node lifecycle controller. */
export interface NodeLifecycleOptions {
  /** How long a node may go without a heartbeat (Kubernetes: 40 s). */
  graceMs: number;
  /** How often every node is checked (Kubernetes: 5 s). */
  monitorPeriodMs: number;
  /** How long pods stay on a node that is not ready before they are evicted (Kubernetes: 300 s). */
  evictionMs?: number;
  /** First wait between two eviction rounds of one node, doubled up to 30 s (default 1 s). */
  evictionBackoffMs?: number;
}

/** Default toleration of the not-ready and unreachable taints, as the DefaultTolerationSeconds admission plugin sets. */
export const DEFAULT_POD_EVICTION_MS = 300_000;

/** Creates the node lifecycle controller; its queue and monitor timer start with start(). */
export function createNodeLifecycleController(deps: ControllerDeps, options: NodeLifecycleOptions): Controller {
  const { informer, writer, now } = deps;
  const pods = informer.lister('pods');
  informer.addIndex('pods', POD_NODE_NAME_INDEX, podNodeName);
  const evictionMs = options.evictionMs ?? DEFAULT_POD_EVICTION_MS;
  const backoff = createEvictionBackoff({ initialMs: options.evictionBackoffMs });
  let timer: NodeJS.Timeout | undefined;
  const recorder = createEventRecorder({
    writer,
    source: { component: 'taint-eviction-controller' },
    log: deps.log,
    view: informer.view,
    related: relatedEvents(informer),
    clock: () => now().getTime(),
  });
  const { controller, queue, log } = createQueuedController('node-lifecycle', deps, {
    sync: syncNode,
    handlers: {
      nodes: { onAdd: onNode, onUpdate: (_, node) => onNode(node) },
      pods: { onAdd: onPod, onUpdate: (_, pod) => onPod(pod) },
    },
    enqueueAll,
    onStart() {
      timer = setInterval(enqueueAll, options.monitorPeriodMs);
      timer.unref();
    },
    onStop() {
      if (timer) clearInterval(timer);
    },
  });

  function onNode(node: Node): void {
    queue.add(keyOf('nodes', node));
  }

  // A pod turning Ready on a silent node is turned back.
  function onPod(pod: Pod): void {
    if (pod.spec.nodeName && isPodReady(pod)) queue.add(keyOf('nodes', { metadata: { name: pod.spec.nodeName } }));
  }

  function enqueueAll(): void {
    for (const node of listObjects(informer.view, 'nodes')) queue.add(keyOf('nodes', node));
  }

  async function syncNode(key: string): Promise<void> {
    const node = informer.lister('nodes').byKey(key);
    if (!node) {
      backoff.reset(parseKey(key).name);
      return;
    }
    const nodeLog = log.child({ node: node.metadata.name });
    let current = node;
    const next = reconcileNodeHealth(node, now(), options.graceMs);
    if (next) {
      await writer.put(parseKey(key), next, Number(node.metadata.resourceVersion));
      nodeLog.warn({ graceMs: options.graceMs }, 'node stopped posting status, marked Ready=Unknown');
      current = next;
    }
    // Look again the moment the heartbeat runs out or the toleration ends, not a monitor period later.
    const deadline = heartbeatDeadline(current, options.graceMs);
    if (deadline !== undefined) queue.addAfter(key, Math.max(0, deadline - now().getTime()) + 50);
    const notReadyMs = notReadyForMs(current, now());
    if (notReadyMs === undefined) backoff.reset(node.metadata.name);
    if (notReadyMs !== undefined && notReadyMs <= evictionMs) queue.addAfter(key, evictionMs - notReadyMs + 50);
    let evicted = new Set<string | undefined>();
    if (notReadyMs !== undefined && notReadyMs > evictionMs) {
      const waitMs = backoff.waitMs(node.metadata.name, now().getTime());
      if (waitMs > 0) queue.addAfter(key, waitMs);
      else evicted = await evictPods(current, nodeLog);
    }
    if (!isNodeUnreachable(current)) return;
    for (const pod of pods.byIndex(POD_NODE_NAME_INDEX, node.metadata.name)) {
      if (evicted.has(pod.metadata.uid)) continue;
      const notReady = markPodNotReady(pod, now());
      if (!notReady) continue;
      await writer.put(parseKey(keyOf('pods', pod)), notReady, Number(pod.metadata.resourceVersion));
      nodeLog.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'pod marked not ready');
    }
  }

  /** Evicts the node's pods; returns the uids of those it marked (their view entries are stale now). */
  async function evictPods(node: Node, nodeLog: typeof log): Promise<Set<string | undefined>> {
    const evictedUids = new Set<string | undefined>();
    for (const pod of pods.byIndex(POD_NODE_NAME_INDEX, node.metadata.name)) {
      const evicted = evictPod(pod, now());
      if (!evicted) continue;
      // Counted before the write: a round that fails half-way is paced too.
      if (evictedUids.size === 0) backoff.evicted(node.metadata.name, now().getTime());
      const name = `${pod.metadata.namespace}/${pod.metadata.name}`;
      await writer.put(parseKey(keyOf('pods', pod)), evicted, Number(pod.metadata.resourceVersion));
      nodeLog.warn({ pod: name, evictionMs }, 'pod evicted from not-ready node');
      evictedUids.add(pod.metadata.uid);
      await recorder.event(objectReference(pod), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${name}`);
    }
    return evictedUids;
  }

  return controller;
}
