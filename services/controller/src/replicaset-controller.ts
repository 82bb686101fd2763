/**
 * The ReplicaSet controller: keeps as many active pods controlled by each ReplicaSet as
 * it asks for (creating them from the template with a generated name, deleting the
 * lowest ranked surplus gracefully) and reports its status. Queue keys are ReplicaSet
 * keys; a pod change queues its controller. Pods whose ReplicaSet is gone (or was
 * replaced by one with another uid) are deleted, as the garbage collector would.
 */
import { type Pod, keyString, matchLabelSelectorObject } from '@kemu/api';
import { type Change, listObjects, onEveryChange } from '@kemu/eventlog';
import { randomUUID } from 'node:crypto';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { adoptOrphans, orphansAmong, ownersSelecting } from './adopt-orphans.js';
import { controllerRefOf } from './controller-ref.js';
import { deletePod } from './delete-pod.js';
import { GC_GRACE_MS, createGcGrace } from './gc-grace.js';
import { isNamespaceActive } from './namespace-active.js';
import { createQueuedController } from './queued-controller.js';
import { randomSuffix } from './random-suffix.js';
import { reconcileReplicaSet } from './reconcile-replica-set.js';
import { podFromTemplate } from './replica-set-pods.js';
import { semanticEqual } from './semantic-equal.js';
import { createWorkloadEvents } from './workload-events.js';

/** Pods by the ReplicaSet their controller reference names (`namespace/name`). */
const PODS_BY_REPLICASET = 'kemu.pods.replicaset';
/** Pods without a controller reference, by namespace (adoption candidates). */
const ORPHAN_PODS = 'kemu.pods.orphan';

/** Creates the ReplicaSet controller; its queue starts with start(). */
export function createReplicaSetController(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  // A sync reads its own pods from these instead of scanning the whole view (three scans
  // per sync, one sync per pod change: quadratic in a scale-up).
  informer.addIndex('pods', PODS_BY_REPLICASET, (p) => {
    const ref = controllerRefOf(p);
    return ref?.kind === 'ReplicaSet' ? [`${p.metadata.namespace ?? 'default'}/${ref.name}`] : [];
  });
  informer.addIndex('pods', ORPHAN_PODS, (p) => (controllerRefOf(p) ? [] : [p.metadata.namespace ?? 'default']));
  const pods = informer.lister('pods');
  const { controller, queue, log } = createQueuedController('replicaset', deps, {
    sync: syncReplicaSet,
    enqueueAll,
    handlers: {
      replicasets: onEveryChange((rs) => queue.add(keyOf('replicasets', rs))),
      pods: onEveryChange(onPodChange),
    },
  });
  const events = createWorkloadEvents(deps, 'replicaset-controller');
  const gcGrace = createGcGrace(GC_GRACE_MS);

  function ownerKey(pod: Pod): string | undefined {
    const ref = controllerRefOf(pod);
    if (ref?.kind !== 'ReplicaSet') return undefined;
    return keyString({ resource: 'replicasets', namespace: pod.metadata.namespace ?? 'default', name: ref.name });
  }

  function onPodChange(pod: Pod, old: Pod | undefined, c: Change): void {
    for (const p of [pod, old]) {
      const k = p ? ownerKey(p) : undefined;
      if (k) queue.add(k);
    }
    if (c.type !== 'DELETED')
      for (const rs of ownersSelecting(informer.view, 'replicasets', pod)) queue.add(keyOf('replicasets', rs));
  }

  function enqueueAll(): void {
    for (const rs of listObjects(informer.view, 'replicasets')) queue.add(keyOf('replicasets', rs));
    for (const pod of listObjects(informer.view, 'pods')) {
      const k = ownerKey(pod);
      if (k) queue.add(k);
    }
  }

  // Pods whose controller reference names this ReplicaSet by name.
  function podsNamingOwner(namespace: string, name: string): Pod[] {
    return pods.byIndex(PODS_BY_REPLICASET, `${namespace}/${name}`);
  }

  async function syncReplicaSet(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const rs = informer.lister('replicasets').byKey(key);
    const rsLog = log.child({ replicaset: `${namespace}/${name}` });
    let named = podsNamingOwner(namespace, name);
    const stale = named.filter((p) => controllerRefOf(p)?.uid !== rs?.metadata.uid && !p.metadata.deletionTimestamp);
    let recheck = 0;
    // The pods are read again only after a write (an await) may have changed the view.
    let wrote = false;
    for (const pod of stale) {
      const uid = pod.metadata.uid ?? '';
      const wait = gcGrace.remainingMs(uid, now().getTime());
      if (wait > 0) {
        recheck = Math.max(recheck, wait);
        continue;
      }
      gcGrace.forget(uid);
      const ref = controllerRefOf(pod)?.uid;
      wrote = true;
      await deletePod(writer, pod, now(), (current) => controllerRefOf(current)?.uid === ref);
      rsLog.info({ pod: pod.metadata.name }, 'pod of a deleted replicaset deleted');
    }
    if (recheck > 0) queue.addAfter(key, recheck);
    if (!rs) return;
    const orphans = orphansAmong(pods.byIndex(ORPHAN_PODS, namespace), rs.spec.selector);
    if (orphans.length > 0 && !rs.metadata.deletionTimestamp) {
      wrote = true;
      const adopted = await adoptOrphans(deps, 'pods', rs, orphans);
      if (adopted.length > 0) rsLog.info({ pods: adopted.map((p) => p.metadata.name) }, 'orphan pods adopted');
    }

    if (wrote) named = podsNamingOwner(namespace, name);
    const owned = named.filter(
      (p) =>
        controllerRefOf(p)?.uid === rs.metadata.uid && matchLabelSelectorObject(rs.spec.selector, p.metadata.labels),
    );
    const plan = reconcileReplicaSet(rs, owned, now());
    // The apiserver would refuse pods in a missing or Terminating namespace.
    const create = isNamespaceActive(informer.view, namespace) ? plan.create : 0;
    for (let i = 0; i < create; i++) {
      const pod = podFromTemplate(rs, uniquePodName(namespace, name), randomUUID(), now());
      await writer.put({ resource: 'pods', namespace, name: pod.metadata.name }, pod);
      rsLog.info({ pod: pod.metadata.name }, 'pod created');
      void events.podCreated(rs, pod.metadata.name);
    }
    for (const pod of plan.remove) {
      await deletePod(writer, pod, now());
      rsLog.info({ pod: pod.metadata.name }, 'pod deleted');
      void events.podDeleted(rs, pod.metadata.name);
    }
    if (create > 0 || plan.remove.length > 0) {
      // The writes are in the view now; the status is computed again from it.
      queue.add(key);
      return;
    }
    if (!semanticEqual(rs.status, plan.status)) {
      await writer.update({ resource: 'replicasets', namespace, name }, (o) => {
        if (o.metadata.uid !== rs.metadata.uid) return undefined;
        return { ...o, status: plan.status };
      });
      rsLog.debug({ ...plan.status }, 'replicaset status updated');
    }
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (minReady > 0 && plan.status.readyReplicas !== plan.status.availableReplicas) queue.addAfter(key, 1000);
  }

  function uniquePodName(namespace: string, rsName: string): string {
    for (;;) {
      const name = `${rsName}-${randomSuffix()}`;
      if (!informer.view.objects.has(keyString({ resource: 'pods', namespace, name }))) return name;
    }
  }

  return controller;
}
