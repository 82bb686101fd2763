/**
 * The StatefulSet controller: keeps the set's ordinal pods (see reconcile-stateful-set.ts),
 * records the template history as ControllerRevisions (the update revision is the one
 * whose data equals the current template: a new one numbered above the rest, or an old
 * one re-numbered when a rollback returns to it) and reports the status `kubectl rollout
 * status` reads. Queue keys are StatefulSet keys; a pod or revision change queues its
 * controller.
 */
import { type ControllerRevision, type Pod, type StatefulSet, keyString, matchLabelSelectorObject } from '@kemu/api';
import { createEventRecorder, objectReference } from '@kemu/event-recorder';
import { type Change, listObjects, onEveryChange } from '@kemu/eventlog';
import { randomUUID } from 'node:crypto';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { relatedEvents } from './related-events.js';
import { controllerRefOf } from './controller-ref.js';
import { revisionTemplate } from './controller-revisions.js';
import { deletePod } from './delete-pod.js';
import { isNamespaceActive } from './namespace-active.js';
import { createQueuedController } from './queued-controller.js';
import { ensureUpdateRevision, ownedRevisions, pruneRevisions } from './revision-writer.js';
import { reconcileStatefulSet } from './reconcile-stateful-set.js';
import { semanticEqual } from './semantic-equal.js';
import { podRevision, statefulSetPod } from './stateful-set-pods.js';

/** Creates the StatefulSet controller; its queue starts with start(). */
export function createStatefulSetController(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  const { controller, queue, log } = createQueuedController('statefulset', deps, {
    sync: syncStatefulSet,
    enqueueAll,
    handlers: {
      statefulsets: onEveryChange((s) => queue.add(keyOf('statefulsets', s))),
      pods: onEveryChange(onOwnedChange),
      controllerrevisions: onEveryChange(onOwnedChange),
    },
  });
  const recorder = createEventRecorder({
    writer,
    source: { component: 'statefulset-controller' },
    log,
    view: informer.view,
    related: relatedEvents(informer),
    clock: () => now().getTime(),
  });

  function ownerKey(o: Pod | ControllerRevision): string | undefined {
    const ref = controllerRefOf(o);
    if (ref?.kind !== 'StatefulSet') return undefined;
    return keyString({ resource: 'statefulsets', namespace: o.metadata.namespace ?? 'default', name: ref.name });
  }

  function onOwnedChange(o: Pod | ControllerRevision, old: Pod | ControllerRevision | undefined, _c: Change): void {
    for (const x of [o, old]) {
      const k = x ? ownerKey(x) : undefined;
      if (k) queue.add(k);
    }
  }

  function enqueueAll(): void {
    for (const s of listObjects(informer.view, 'statefulsets')) queue.add(keyOf('statefulsets', s));
  }

  function ownedPods(set: StatefulSet): Pod[] {
    return listObjects(informer.view, 'pods', set.metadata.namespace ?? 'default').filter(
      (o) =>
        controllerRefOf(o)?.uid === set.metadata.uid && matchLabelSelectorObject(set.spec.selector, o.metadata.labels),
    );
  }

  async function syncStatefulSet(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const set = informer.lister('statefulsets').byKey(key);
    if (!set) return;
    const setLog = log.child({ statefulset: `${namespace}/${name}` });
    const update = await ensureUpdateRevision(deps, set, ownedRevisions(deps, set));
    const all = ownedRevisions(deps, set);
    const currentName = set.status?.currentRevision;
    const current = all.find((r) => r.metadata.name === currentName) ?? update;
    const pods = ownedPods(set);
    const plan = reconcileStatefulSet(
      set,
      pods,
      { current: current.metadata.name, update: update.metadata.name },
      now(),
    );

    const create = isNamespaceActive(informer.view, namespace) ? plan.create : [];
    for (const c of create) {
      const rev = c.revision === 'current' ? current : update;
      const template = revisionTemplate(rev) ?? set.spec.template;
      const pod = statefulSetPod(set, template, rev.metadata.name, c.ordinal, randomUUID(), now());
      if (informer.lister('pods').get(namespace, pod.metadata.name)) continue;
      await writer.put({ resource: 'pods', namespace, name: pod.metadata.name }, pod);
      setLog.info({ pod: pod.metadata.name, revision: rev.metadata.name }, 'pod created');
      void recorder.event(
        objectReference(set),
        'Normal',
        'SuccessfulCreate',
        `create Pod ${pod.metadata.name} in StatefulSet ${name} successful`,
      );
    }
    for (const pod of plan.remove) {
      await deletePod(writer, pod, now());
      setLog.info({ pod: pod.metadata.name }, 'pod deleted');
      void recorder.event(
        objectReference(set),
        'Normal',
        'SuccessfulDelete',
        `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`,
      );
    }
    if (create.length > 0 || plan.remove.length > 0) {
      queue.add(key);
      return;
    }

    if (!semanticEqual(set.status, plan.status)) {
      await writer.update({ resource: 'statefulsets', namespace, name }, (o) => {
        if (o.metadata.uid !== set.metadata.uid) return undefined;
        return { ...o, status: plan.status };
      });
      setLog.debug({ ...plan.status }, 'statefulset status updated');
    }
    const live = new Set([plan.status.currentRevision ?? '', plan.status.updateRevision ?? '']);
    for (const p of pods) live.add(podRevision(p) ?? '');
    await pruneRevisions(deps, set, all, live);
    const minReady = set.spec.minReadySeconds ?? 0;
    if (minReady > 0 && plan.status.readyReplicas !== plan.status.availableReplicas) queue.addAfter(key, 1000);
  }

  return controller;
}
