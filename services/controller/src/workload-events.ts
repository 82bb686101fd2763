/**
 * The events the ReplicaSet and Deployment controllers record, with Kubernetes' sources,
 * reasons and messages (SuccessfulCreate/SuccessfulDelete on a ReplicaSet,
 * ScalingReplicaSet on a Deployment), through the shared best-effort recorder.
 */
import type { Deployment, ReplicaSet } from '@kemu/api';
import { createEventRecorder, objectReference } from '@kemu/event-recorder';
import type { ControllerDeps } from './controller.js';
import { relatedEvents } from './related-events.js';

/** Records one workload controller's events. */
export interface WorkloadEvents {
  /** `Created pod: <name>` on the ReplicaSet. */
  podCreated(rs: ReplicaSet, pod: string): Promise<void>;
  /** `Deleted pod: <name>` on the ReplicaSet. */
  podDeleted(rs: ReplicaSet, pod: string): Promise<void>;
  /** `Scaled up replica set <rs> from <a> to <b>` (or down) on the Deployment. */
  scaled(d: Deployment, rs: string, from: number, to: number): Promise<void>;
}

/** Creates the recorder of `component` (replicaset-controller or deployment-controller). */
export function createWorkloadEvents(
  deps: Pick<ControllerDeps, 'writer' | 'informer' | 'log' | 'now'>,
  component: 'replicaset-controller' | 'deployment-controller',
): WorkloadEvents {
  const recorder = createEventRecorder({
    writer: deps.writer,
    source: { component },
    log: deps.log,
    view: deps.informer.view,
    related: relatedEvents(deps.informer),
    clock: () => deps.now().getTime(),
  });
  return {
    podCreated: (rs, pod) => recorder.event(objectReference(rs), 'Normal', 'SuccessfulCreate', `Created pod: ${pod}`),
    podDeleted: (rs, pod) => recorder.event(objectReference(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod}`),
    scaled(d, rs, from, to) {
      const dir = to > from ? 'up' : 'down';
      return recorder.event(
        objectReference(d),
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${dir} replica set ${rs} from ${from} to ${to}`,
      );
    },
  };
}
