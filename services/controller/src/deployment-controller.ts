/**
 * The Deployment controller: applies reconcileDeployment's step for each Deployment
 * (create, resize or delete its ReplicaSets, then its status and revision), one step per
 * sync; the ReplicaSets' status changes bring it back for the next. Queue keys are
 * Deployment keys; a ReplicaSet change queues its controller. ReplicaSets whose
 * Deployment is gone (or was replaced by one with another uid) are deleted, as the
 * garbage collector would; the ReplicaSet controller then deletes their pods.
 */
import { type ReplicaSet, keyString } from '@kemu/api';
import { type Change, listObjects, onEveryChange } from '@kemu/eventlog';
import { randomUUID } from 'node:crypto';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { adoptOrphans, orphansFor, ownersSelecting } from './adopt-orphans.js';
import { controllerRefOf } from './controller-ref.js';
import { progressDeadlineLeftMs } from './deployment-status.js';
import { GC_GRACE_MS, createGcGrace } from './gc-grace.js';
import { isNamespaceActive } from './namespace-active.js';
import { createQueuedController } from './queued-controller.js';
import { reconcileDeployment } from './reconcile-deployment.js';
import { createWorkloadEvents } from './workload-events.js';

/** Creates the Deployment controller; its queue starts with start(). */
export function createDeploymentController(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  const { controller, queue, log } = createQueuedController('deployment', deps, {
    sync: syncDeployment,
    enqueueAll,
    handlers: {
      deployments: onEveryChange((d) => queue.add(keyOf('deployments', d))),
      replicasets: onEveryChange(onReplicaSetChange),
    },
  });
  const events = createWorkloadEvents(deps, 'deployment-controller');
  const gcGrace = createGcGrace(GC_GRACE_MS);

  function ownerKey(rs: ReplicaSet): string | undefined {
    const ref = controllerRefOf(rs);
    if (ref?.kind !== 'Deployment') return undefined;
    return keyString({ resource: 'deployments', namespace: rs.metadata.namespace ?? 'default', name: ref.name });
  }

  function onReplicaSetChange(rs: ReplicaSet, old: ReplicaSet | undefined, c: Change): void {
    for (const r of [rs, old]) {
      const k = r ? ownerKey(r) : undefined;
      if (k) queue.add(k);
    }
    if (c.type !== 'DELETED')
      for (const d of ownersSelecting(informer.view, 'deployments', rs)) queue.add(keyOf('deployments', d));
  }

  function enqueueAll(): void {
    for (const d of listObjects(informer.view, 'deployments')) queue.add(keyOf('deployments', d));
    for (const rs of listObjects(informer.view, 'replicasets')) {
      const k = ownerKey(rs);
      if (k) queue.add(k);
    }
  }

  function rsKey(rs: ReplicaSet) {
    return { resource: 'replicasets', namespace: rs.metadata.namespace ?? 'default', name: rs.metadata.name };
  }

  async function syncDeployment(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const d = informer.lister('deployments').byKey(key);
    const dLog = log.child({ deployment: `${namespace}/${name}` });
    const named = listObjects(informer.view, 'replicasets', namespace).filter((rs) => {
      const ref = controllerRefOf(rs);
      return ref?.kind === 'Deployment' && ref.name === name;
    });
    let recheck = 0;
    for (const rs of named.filter((r) => controllerRefOf(r)?.uid !== d?.metadata.uid)) {
      const uid = rs.metadata.uid ?? '';
      const wait = gcGrace.remainingMs(uid, now().getTime());
      if (wait > 0) {
        recheck = Math.max(recheck, wait);
        continue;
      }
      gcGrace.forget(uid);
      await writer.remove(rsKey(rs), rs, Number(rs.metadata.resourceVersion));
      dLog.info({ replicaset: rs.metadata.name }, 'replicaset of a deleted deployment deleted');
    }
    if (recheck > 0) queue.addAfter(key, recheck);
    if (!d) return;

    const orphans = orphansFor(informer.view, 'replicasets', namespace, d.spec.selector);
    if (orphans.length > 0 && !d.metadata.deletionTimestamp) {
      const adopted = await adoptOrphans(deps, 'replicasets', d, orphans);
      if (adopted.length > 0)
        dLog.info({ replicasets: adopted.map((r) => r.metadata.name) }, 'orphan replicasets adopted');
      named.push(...adopted);
    }
    const owned = named.filter((r) => controllerRefOf(r)?.uid === d.metadata.uid);
    const plan = reconcileDeployment(d, owned, now());
    if (plan.create && !isNamespaceActive(informer.view, namespace)) return;
    if (plan.create) {
      const rs = { ...plan.create, metadata: { ...plan.create.metadata, uid: randomUUID() } };
      if (informer.view.objects.has(keyString(rsKey(rs)))) {
        // Taken by a ReplicaSet this Deployment does not own (one of a deleted Deployment awaits collection).
        dLog.warn({ replicaset: rs.metadata.name }, 'replicaset name taken, retrying');
        queue.addAfter(key, 1000);
        return;
      }
      await writer.put(rsKey(rs), rs);
      dLog.info({ replicaset: rs.metadata.name, replicas: rs.spec.replicas }, 'replicaset created');
      if (rs.spec.replicas) void events.scaled(d, rs.metadata.name, 0, rs.spec.replicas);
    }
    for (const rs of plan.update) {
      const from = owned.find((o) => o.metadata.name === rs.metadata.name)?.spec.replicas ?? 0;
      const to = rs.spec.replicas ?? 0;
      await writer.put(rsKey(rs), rs, Number(rs.metadata.resourceVersion));
      dLog.info({ replicaset: rs.metadata.name, replicas: to }, 'replicaset scaled');
      if (from !== to) void events.scaled(d, rs.metadata.name, from, to);
    }
    for (const rs of plan.remove) {
      await writer.remove(rsKey(rs), rs, Number(rs.metadata.resourceVersion));
      dLog.info({ replicaset: rs.metadata.name }, 'old replicaset deleted');
    }
    if (plan.create || plan.update.length > 0) {
      queue.add(key);
      return;
    }
    if (plan.deployment) {
      await writer.put(
        { resource: 'deployments', namespace, name },
        plan.deployment,
        Number(d.metadata.resourceVersion),
      );
      dLog.debug({ ...plan.deployment.status, conditions: undefined }, 'deployment status updated');
    }
    // An unfinished rollout is checked again when its progress deadline passes.
    const left = progressDeadlineLeftMs(plan.deployment ?? d, now());
    // The queue keeps one delayed add per key, the earliest; the sync it brings adds this again.
    if (left !== undefined) queue.addAfter(key, Math.max(0, left) + 1000);
  }

  return controller;
}
