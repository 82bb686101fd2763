/**
 * The CronJob controller: starts each CronJob's Jobs on its schedule (see
 * reconcile-cron-job.ts), deletes replaced Jobs and those past the history limits
 * (their pods first: the apiserver's cascading delete is not on this path), and keeps
 * status.active / lastScheduleTime / lastSuccessfulTime. A CronJob is queued again when
 * its next time comes. The clock is injected: tests may run it faster than real time.
 */
import { type CronJob, type Job, defaultObject, generateJobSelector, keyString } from '@kemu/api';
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
import { reconcileCronJob } from './reconcile-cron-job.js';
import { semanticEqual } from './semantic-equal.js';

/** The CronJob controller's clock. */
export interface CronJobClock {
  /** The time schedules are evaluated at. */
  now(): Date;
  /** How many times faster than real time `now` runs (1: the real clock). */
  scale: number;
}

/** Annotation on a Job: the time its CronJob scheduled it for. */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** The Job a CronJob starts for `scheduledTime` (getJobFromTemplate2), defaulted with its generated selector. */
export function jobFromTemplate(cj: CronJob, name: string, scheduledTime: Date, uid: string, created: Date): Job {
  const meta = cj.spec.jobTemplate.metadata ?? {};
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace ?? 'default',
      uid,
      generation: 1,
      creationTimestamp: rfc3339(created),
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      annotations: { ...(meta.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339(scheduledTime) },
      ownerReferences: [newControllerRef(cj)],
    },
    spec: structuredClone(cj.spec.jobTemplate.spec),
  };
  generateJobSelector(job);
  return defaultObject(job);
}

/** Creates the CronJob controller; its queue starts with start(). */
export function createCronJobController(deps: ControllerDeps, clock: CronJobClock): Controller {
  const { informer, writer, now } = deps;
  const { controller, queue, log } = createQueuedController('cronjob', deps, {
    sync: syncCronJob,
    enqueueAll,
    handlers: {
      cronjobs: onEveryChange((cj) => queue.add(keyOf('cronjobs', cj))),
      jobs: onEveryChange((job, old) => {
        for (const j of [job, old]) {
          const ref = j ? controllerRefOf(j) : undefined;
          if (j && ref?.kind === 'CronJob')
            queue.add(
              keyString({ resource: 'cronjobs', namespace: j.metadata.namespace ?? 'default', name: ref.name }),
            );
        }
      }),
    },
  });
  const recorder = createEventRecorder({
    writer,
    source: { component: 'cronjob-controller' },
    log,
    view: informer.view,
    related: relatedEvents(informer),
    clock: () => now().getTime(),
  });

  function enqueueAll(): void {
    for (const cj of listObjects(informer.view, 'cronjobs')) queue.add(keyOf('cronjobs', cj));
  }

  async function deleteJob(job: Job): Promise<void> {
    const namespace = job.metadata.namespace ?? 'default';
    for (const pod of listObjects(informer.view, 'pods', namespace))
      if (controllerRefOf(pod)?.uid === job.metadata.uid) await deletePod(writer, pod, now());
    const current = informer.lister('jobs').get(namespace, job.metadata.name);
    if (!current || current.metadata.uid !== job.metadata.uid) return;
    await writer.remove(
      { resource: 'jobs', namespace, name: job.metadata.name },
      current,
      Number(current.metadata.resourceVersion),
    );
  }

  async function syncCronJob(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const cj = informer.lister('cronjobs').byKey(key);
    if (!cj) return;
    const cjLog = log.child({ cronjob: `${namespace}/${name}` });
    const jobs = listObjects(informer.view, 'jobs', namespace).filter(
      (j) => controllerRefOf(j)?.uid === cj.metadata.uid,
    );
    const at = clock.now();
    const plan = reconcileCronJob(cj, jobs, at);
    const ref = objectReference(cj);
    for (const job of plan.sawCompleted) {
      const type = job.status?.conditions?.find(
        (c) => c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed'),
      )?.type;
      void recorder.event(
        ref,
        'Normal',
        'SawCompletedJob',
        `Saw completed job: ${job.metadata.name}, condition: ${type}`,
      );
    }
    for (const { job } of plan.remove) {
      await deleteJob(job);
      cjLog.info({ job: job.metadata.name }, 'job deleted');
      void recorder.event(ref, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    }
    const status = plan.status;
    if (plan.start && isNamespaceActive(informer.view, namespace)) {
      const job = jobFromTemplate(cj, plan.start.name, plan.start.scheduledTime, randomUUID(), now());
      const stored = (await writer.put({ resource: 'jobs', namespace, name: job.metadata.name }, job)) as Job;
      cjLog.info({ job: job.metadata.name }, 'job created');
      void recorder.event(ref, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`);
      status.active = [
        ...(status.active ?? []),
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: stored.metadata.name,
          namespace,
          uid: stored.metadata.uid ?? '',
          resourceVersion: stored.metadata.resourceVersion ?? '',
        },
      ];
    }
    if (!semanticEqual(cj.status ?? {}, status)) {
      await writer.update({ resource: 'cronjobs', namespace, name }, (o) => {
        if (o.metadata.uid !== cj.metadata.uid) return undefined;
        return { ...o, status };
      });
    }
    if (plan.next) queue.addAfter(key, Math.max(50, (plan.next.getTime() - clock.now().getTime()) / clock.scale + 50));
  }

  return controller;
}
