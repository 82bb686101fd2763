/**
 * The scheduler: binds each unbound pod to the schedulable node with the fewest pods,
 * records a Scheduled event, and marks a pod Unschedulable when no node fits, trying
 * it again when a node's schedulability changes. Handlers only enqueue pod keys.
 */
import type { Event, Node, Pod } from '@kemu/api';
import { type Change, listObjects } from '@kemu/eventlog';
import { bindPod, markUnschedulable, needsScheduling } from './bind-pod.js';
import { isNodeSchedulable } from './conditions.js';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { countPodsPerNode, pickNode, unschedulableMessage } from './pick-node.js';
import { podEvent, scheduledEvent } from './scheduler-events.js';
import { createWorkQueue } from './work-queue.js';

const podKey = (pod: Pod) => keyOf('pods', pod);

/** Creates the scheduler; its queue starts with start(). */
export function createScheduler(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  const log = deps.log.child({ controller: 'scheduler' });
  // Pod key → node for bindings written but not yet seen in the view.
  const assumed = new Map<string, string>();
  const queue = createWorkQueue({ name: 'scheduler', log, sync: syncPod });
  let started = false;

  const removeHandler = informer.onChange((c) => {
    if (c.key.resource === 'pods') onPodChange(c);
    else if (c.key.resource === 'nodes') onNodeChange(c);
  });

  function onPodChange(c: Change): void {
    const pod = c.object as Pod;
    const k = podKey(pod);
    if (c.type !== 'DELETED' && needsScheduling(pod)) queue.add(k);
    else assumed.delete(k);
  }

  function onNodeChange(c: Change): void {
    if (!started) return;
    const was = c.old ? isNodeSchedulable(c.old as Node) : false;
    const is = c.type === 'DELETED' ? false : isNodeSchedulable(c.object as Node);
    if (was !== is) enqueueAll();
  }

  function enqueueAll(): void {
    for (const pod of listObjects<Pod>(informer.view, 'pods')) if (needsScheduling(pod)) queue.add(podKey(pod));
  }

  async function syncPod(key: string): Promise<void> {
    const pod = informer.view.objects.get(key) as Pod | undefined;
    if (!pod || !needsScheduling(pod)) {
      assumed.delete(key);
      return;
    }
    const podLog = log.child({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` });
    const nodes = listObjects<Node>(informer.view, 'nodes');
    const counts = countPodsPerNode(listObjects<Pod>(informer.view, 'pods'), assumed, podKey);
    const nodeName = pickNode(nodes, counts);
    const expected = Number(pod.metadata.resourceVersion);
    if (!nodeName) {
      const message = unschedulableMessage(nodes);
      const next = markUnschedulable(pod, message, now());
      if (!next) return;
      await writer.put(parseKey(key), next, expected);
      podLog.info({ message }, 'pod unschedulable');
      await recordEvent(podEvent(pod, 'Warning', 'FailedScheduling', message, now()));
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
    await recordEvent(scheduledEvent(pod, nodeName, now()));
  }

  // Events are best effort, as in Kubernetes: a lost event never undoes or repeats a binding.
  async function recordEvent(event: Event): Promise<void> {
    try {
      await writer.put(
        { resource: 'events', namespace: event.metadata.namespace ?? 'default', name: event.metadata.name },
        event,
        0,
      );
    } catch (err) {
      log.warn({ err, event: event.metadata.name }, 'event not recorded');
    }
  }

  return {
    name: 'scheduler',
    enqueueAll,
    start() {
      started = true;
      queue.start();
    },
    async stop() {
      removeHandler();
      await queue.stop();
    },
    idle: () => queue.idle(),
  };
}
