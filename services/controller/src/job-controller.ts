/**
 * The Job controller: runs each Job's pods until enough succeed or too many fail (see
 * reconcile-job.ts), writes the status and conditions kubectl waits on, and records the
 * Job's events. Queue keys are Job keys; a pod change queues its Job. A Job held by
 * the pod failure backoff is queued again when the backoff ends.
 */
import { type Job, type Pod, defaultObject, keyString, matchLabelSelectorObject } from '@kemu/api';
import { createEventRecorder, objectReference } from '@kemu/event-recorder';
import { listObjects, onEveryChange } from '@kemu/eventlog';
import { randomUUID } from 'node:crypto';
import { rfc3339 } from './conditions.js';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { relatedEvents } from './related-events.js';
import { controllerRefOf, newControllerRef } from './controller-ref.js';
import { deletePod } from './delete-pod.js';
import { isNamespaceActive } from './namespace-active.js';
import { createQueuedController } from './queued-controller.js';
import { randomSuffix } from './random-suffix.js';
import { COMPLETION_INDEX } from './job-indexes.js';
import { jobExpiry, reconcileJob } from './reconcile-job.js';
import { semanticEqual } from './semantic-equal.js';

/** A new pod of `job` named `name` (of completion `index` for an Indexed Job), defaulted as the apiserver would store it. */
export function jobPod(job: Job, name: string, uid: string, now: Date, index?: number): Pod {
  const template = job.spec.template;
  const spec = structuredClone(template.spec);
  const labels = { ...(template.metadata?.labels ?? {}) };
  const annotations = { ...(template.metadata?.annotations ?? {}) };
  if (index !== undefined) {
    labels[COMPLETION_INDEX] = String(index);
    annotations[COMPLETION_INDEX] = String(index);
    spec.hostname = `${job.metadata.name}-${index}`;
    const env = {
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } },
    };
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) c.env = [env, ...(c.env ?? [])];
  }
  return defaultObject<Pod>({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: index === undefined ? `${job.metadata.name}-` : `${job.metadata.name}-${index}-`,
      namespace: job.metadata.namespace ?? 'default',
      uid,
      creationTimestamp: rfc3339(now),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [newControllerRef(job)],
    },
    spec,
  });
}

/** Creates the Job controller; its queue starts with start(). */
export function createJobController(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  const { controller, queue, log } = createQueuedController('job', deps, {
    sync: syncJob,
    enqueueAll,
    handlers: {
      jobs: onEveryChange((j) => queue.add(keyOf('jobs', j))),
      pods: onEveryChange((pod, old) => {
        for (const p of [pod, old]) {
          const ref = p ? controllerRefOf(p) : undefined;
          if (p && ref?.kind === 'Job')
            queue.add(keyString({ resource: 'jobs', namespace: p.metadata.namespace ?? 'default', name: ref.name }));
        }
      }),
    },
  });
  const recorder = createEventRecorder({
    writer,
    source: { component: 'job-controller' },
    log,
    view: informer.view,
    related: relatedEvents(informer),
    clock: () => now().getTime(),
  });

  function enqueueAll(): void {
    for (const j of listObjects(informer.view, 'jobs')) queue.add(keyOf('jobs', j));
  }

  function uniquePodName(namespace: string, jobName: string): string {
    for (;;) {
      const name = `${jobName}-${randomSuffix()}`;
      if (!informer.lister('pods').get(namespace, name)) return name;
    }
  }

  async function syncJob(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const job = informer.lister('jobs').byKey(key);
    if (!job?.spec.selector) return;
    const jobLog = log.child({ job: `${namespace}/${name}` });
    const expiry = jobExpiry(job);
    if (expiry !== undefined) {
      const left = expiry - now().getTime();
      if (left > 0) queue.addAfter(key, left);
      else {
        // The ttl-after-finished controller deletes the Job in the background: its pods go with it.
        for (const pod of listObjects(informer.view, 'pods', namespace))
          if (controllerRefOf(pod)?.uid === job.metadata.uid) await deletePod(writer, pod, now());
        await writer.remove({ resource: 'jobs', namespace, name }, job, Number(job.metadata.resourceVersion));
        jobLog.info('finished job deleted after ttlSecondsAfterFinished');
        return;
      }
    }
    const pods = listObjects(informer.view, 'pods', namespace).filter(
      (p) =>
        controllerRefOf(p)?.uid === job.metadata.uid &&
        matchLabelSelectorObject(job.spec.selector ?? {}, p.metadata.labels),
    );
    const plan = reconcileJob(job, pods, now());
    const create = isNamespaceActive(informer.view, namespace) ? plan.create : 0;
    for (let i = 0; i < create; i++) {
      const index = plan.createIndexes[i];
      const prefix = index === undefined ? name : `${name}-${index}`;
      const pod = jobPod(job, uniquePodName(namespace, prefix), randomUUID(), now(), index);
      await writer.put({ resource: 'pods', namespace, name: pod.metadata.name }, pod);
      jobLog.info({ pod: pod.metadata.name }, 'pod created');
      void recorder.event(objectReference(job), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    }
    for (const pod of plan.remove) {
      await deletePod(writer, pod, now());
      jobLog.info({ pod: pod.metadata.name }, 'pod deleted');
      void recorder.event(objectReference(job), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    }
    if (create > 0 || plan.remove.length > 0) {
      queue.add(key);
      return;
    }
    if (!semanticEqual(job.status, plan.status)) {
      await writer.update({ resource: 'jobs', namespace, name }, (o) => {
        if (o.metadata.uid !== job.metadata.uid) return undefined;
        return { ...o, status: plan.status };
      });
      for (const e of plan.events) void recorder.event(objectReference(job), e.type, e.reason, e.message);
      jobLog.debug({ active: plan.status.active, succeeded: plan.status.succeeded }, 'job status updated');
    }
    if (plan.createAfterMs > 0) queue.addAfter(key, plan.createAfterMs);
    const deadline = job.spec.activeDeadlineSeconds;
    const start = plan.status.startTime;
    if (deadline !== undefined && start && !plan.status.completionTime) {
      const left = Date.parse(start) + deadline * 1000 - now().getTime();
      if (left > 0) queue.addAfter(key, left);
    }
  }

  return controller;
}
