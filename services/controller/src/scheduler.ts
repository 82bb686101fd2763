/**
 * The scheduler: binds each unbound pod to the schedulable node with room for its
 * requests, the fewest pods of its Services and the fewest pods (pick-node.ts), records a Scheduled event, and marks a pod
 * Unschedulable (with a FailedScheduling event) when no node fits, trying it again when
 * a node changes or a bound pod frees its resources. Handlers only enqueue pod keys.
 */
import type { Node, Pod } from '@kemu/api';
import { type Change, listObjects, onEveryChange } from '@kemu/eventlog';
import { bindPod, markUnschedulable, needsScheduling } from './bind-pod.js';
import { isNodeSchedulable, isPodTerminal } from './conditions.js';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { podRequests } from './node-fit.js';
import { indexedList } from './indexed-lists.js';
import { trackNodeUsage } from './node-usage-tracker.js';
import { trackServicePeers } from './service-peers.js';
import { pickNode, unschedulableMessage } from './pick-node.js';
import { createQueuedController } from './queued-controller.js';
import { createSchedulerEvents } from './scheduler-events.js';

const podKey = (pod: Pod) => keyOf('pods', pod);

/** Creates the scheduler; its queue starts with start(). */
export function createScheduler(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  // Pod key → node for bindings written but not yet seen in the view.
  const assumed = new Map<string, string>();
  const events = createSchedulerEvents(deps);
  const nodeUsage = trackNodeUsage(informer);
  const nodes = indexedList(informer, 'nodes');
  const servicePeers = trackServicePeers(informer);
  const { controller, queue, log } = createQueuedController('scheduler', deps, {
    sync: syncPod,
    observers: { pods: onEveryChange(onPodChange) },
    handlers: { nodes: onEveryChange(onNodeChange) },
    enqueueAll,
  });

  // Also before start: a pod queued then is scheduled once the queue starts, and an
  // assumption is dropped for every pod that no longer needs scheduling.
  function onPodChange(pod: Pod, old: Pod | undefined, c: Change): void {
    const k = podKey(pod);
    if (c.type !== 'DELETED' && needsScheduling(pod)) queue.add(k);
    else assumed.delete(k);
    // A bound pod that goes away or finishes frees its requests for the pods waiting.
    const freed =
      (c.type === 'DELETED' && pod.spec.nodeName) ||
      (pod.spec.nodeName && isPodTerminal(pod) && !(old && isPodTerminal(old)));
    if (freed) enqueueAll();
  }

  function onNodeChange(node: Node, old: Node | undefined, c: Change): void {
    const was = old ? isNodeSchedulable(old) : false;
    const is = c.type === 'DELETED' ? false : isNodeSchedulable(node);
    const resized = JSON.stringify(old?.status?.allocatable) !== JSON.stringify(node.status?.allocatable);
    if (was !== is || (is && resized)) enqueueAll();
  }

  function enqueueAll(): void {
    for (const pod of listObjects(informer.view, 'pods')) if (needsScheduling(pod)) queue.add(podKey(pod));
  }

  async function syncPod(key: string): Promise<void> {
    const pod = informer.lister('pods').byKey(key);
    if (!pod || !needsScheduling(pod)) {
      assumed.delete(key);
      return;
    }
    const podLog = log.child({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` });
    const nodeList = nodes.list();
    const usage = nodeUsage.usage(assumed);
    const request = podRequests(pod);
    const nodeName = pickNode(nodeList, usage, request, servicePeers.perNode(pod, assumed));
    const expected = Number(pod.metadata.resourceVersion);
    if (!nodeName) {
      const message = unschedulableMessage(nodeList, usage, request);
      const next = markUnschedulable(pod, message, now());
      if (!next) return;
      await writer.put(parseKey(key), next, expected);
      podLog.info({ message }, 'pod unschedulable');
      await events.failedScheduling(pod, message);
      return;
    }
    assumed.set(key, nodeName);
    try {
      await writer.put(parseKey(key), bindPod(pod, nodeName, now()), expected);
    } catch (err) {
      assumed.delete(key);
      throw err;
    }
    podLog.info({ node: nodeName }, 'pod bound');
    // Best effort and not waited for, as client-go's recorder: the next pod is bound meanwhile.
    void events.scheduled(pod, nodeName);
  }

  return controller;
}
