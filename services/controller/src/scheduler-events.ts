/**
 * The events the scheduler records about pods, Scheduled and FailedScheduling, through
 * the shared recorder: de-duplicated (a pod that stays unschedulable counts on one
 * FailedScheduling event) and best effort, as in Kubernetes.
 */
import type { Pod } from '@kemu/api';
import { createEventRecorder, objectReference } from '@kemu/event-recorder';
import type { ControllerDeps } from './controller.js';
import { relatedEvents } from './related-events.js';

/** The scheduler's component name, as events and kubectl show it. */
export const SCHEDULER_NAME = 'default-scheduler';

/** Records the scheduler's pod events. */
export interface SchedulerEvents {
  /** `Successfully assigned default/web-pod-1 to node-2`. */
  scheduled(pod: Pod, nodeName: string): Promise<void>;
  /** A Warning with the reason no node fits. */
  failedScheduling(pod: Pod, message: string): Promise<void>;
}

/** Creates the scheduler's event recorder. */
export function createSchedulerEvents(
  deps: Pick<ControllerDeps, 'writer' | 'informer' | 'log' | 'now'>,
): SchedulerEvents {
  const recorder = createEventRecorder({
    writer: deps.writer,
    source: { component: SCHEDULER_NAME },
    log: deps.log,
    view: deps.informer.view,
    related: relatedEvents(deps.informer),
    clock: () => deps.now().getTime(),
  });
  return {
    scheduled(pod, nodeName) {
      const ns = pod.metadata.namespace ?? 'default';
      const message = `Successfully assigned ${ns}/${pod.metadata.name} to ${nodeName}`;
      return recorder.event(objectReference(pod), 'Normal', 'Scheduled', message);
    },
    failedScheduling(pod, message) {
      return recorder.event(objectReference(pod), 'Warning', 'FailedScheduling', message);
    },
  };
}
