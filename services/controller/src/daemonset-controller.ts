/**
 * The DaemonSet controller: one pod per matching node (see reconcile-daemon-set.ts),
 * bound to its node by the controller with the node-affinity Kubernetes gives daemon
 * pods, the daemon tolerations, and the revision labels; ControllerRevisions keep the
 * template history for `kubectl rollout history/undo`. Queue keys are DaemonSet keys;
 * a pod change queues its DaemonSet and a node change queues every DaemonSet.
 */
import {
  CONTROLLER_REVISION_HASH_LABEL,
  type DaemonSet,
  type Pod,
  type PodTemplateSpec,
  defaultObject,
  keyString,
  matchLabelSelectorObject,
} from '@kemu/api';
import { createEventRecorder, objectReference } from '@kemu/event-recorder';
import { listObjects, onEveryChange } from '@kemu/eventlog';
import { randomUUID } from 'node:crypto';
import { rfc3339 } from './conditions.js';
import { type Controller, type ControllerDeps, keyOf, parseKey } from './controller.js';
import { indexedList } from './indexed-lists.js';
import { relatedEvents } from './related-events.js';
import { controllerRefOf, newControllerRef } from './controller-ref.js';
import { revisionTemplate } from './controller-revisions.js';
import { deletePod } from './delete-pod.js';
import { isNamespaceActive } from './namespace-active.js';
import { createQueuedController } from './queued-controller.js';
import { randomSuffix } from './random-suffix.js';
import { reconcileDaemonSet } from './reconcile-daemon-set.js';
import { ensureUpdateRevision, ownedRevisions, pruneRevisions } from './revision-writer.js';
import { semanticEqual } from './semantic-equal.js';
import { podRevision } from './stateful-set-pods.js';

/** Tolerations every daemon pod gets (AddOrUpdateDaemonPodTolerations). */
export const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** The daemon pod of `ds` for `node`, from `template` at revision `hash`. */
export function daemonPod(
  ds: DaemonSet,
  template: PodTemplateSpec,
  hash: string,
  node: string,
  name: string,
  uid: string,
  now: Date,
): Pod {
  const spec = structuredClone(template.spec) as Pod['spec'] & { tolerations?: unknown[]; affinity?: unknown };
  const own = (spec.tolerations ?? []) as { key?: string; effect?: string }[];
  spec.tolerations = [
    ...own,
    ...DAEMON_TOLERATIONS.filter((t) => !own.some((o) => o.key === t.key && o.effect === t.effect)),
  ];
  spec.affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
      },
    },
  };
  spec.nodeName = node;
  return defaultObject<Pod>({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace ?? 'default',
      uid,
      creationTimestamp: rfc3339(now),
      labels: {
        ...(template.metadata?.labels ?? {}),
        [CONTROLLER_REVISION_HASH_LABEL]: hash,
        'pod-template-generation': String(ds.metadata.generation ?? 1),
      },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds)],
    },
    spec,
  });
}

/** Creates the DaemonSet controller; its queue starts with start(). */
export function createDaemonSetController(deps: ControllerDeps): Controller {
  const { informer, writer, now } = deps;
  const daemonSets = indexedList(informer, 'daemonsets');
  const { controller, queue, log } = createQueuedController('daemonset', deps, {
    sync: syncDaemonSet,
    enqueueAll,
    handlers: {
      daemonsets: onEveryChange((ds) => queue.add(keyOf('daemonsets', ds))),
      nodes: onEveryChange(() => enqueueAll()),
      pods: onEveryChange((pod, old) => {
        for (const p of [pod, old]) {
          const ref = p ? controllerRefOf(p) : undefined;
          if (p && ref?.kind === 'DaemonSet')
            queue.add(
              keyString({ resource: 'daemonsets', namespace: p.metadata.namespace ?? 'default', name: ref.name }),
            );
        }
      }),
    },
  });
  const recorder = createEventRecorder({
    writer,
    source: { component: 'daemonset-controller' },
    log,
    view: informer.view,
    related: relatedEvents(informer),
    clock: () => now().getTime(),
  });

  // Every node change queues every DaemonSet: listed from an index, not a scan of the view.
  function enqueueAll(): void {
    for (const ds of daemonSets.list()) queue.add(keyOf('daemonsets', ds));
  }

  async function syncDaemonSet(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const ds = informer.lister('daemonsets').byKey(key);
    if (!ds) return;
    const dsLog = log.child({ daemonset: `${namespace}/${name}` });
    const update = await ensureUpdateRevision(deps, ds, ownedRevisions(deps, ds));
    const hash = update.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
    const pods = listObjects(informer.view, 'pods', namespace).filter(
      (p) =>
        controllerRefOf(p)?.uid === ds.metadata.uid && matchLabelSelectorObject(ds.spec.selector, p.metadata.labels),
    );
    const plan = reconcileDaemonSet(ds, listObjects(informer.view, 'nodes'), pods, hash, now());
    const create = isNamespaceActive(informer.view, namespace) ? plan.create : [];
    const template = revisionTemplate(update) ?? ds.spec.template;
    for (const node of create) {
      let podName = `${name}-${randomSuffix()}`;
      while (informer.lister('pods').get(namespace, podName)) podName = `${name}-${randomSuffix()}`;
      const pod = daemonPod(ds, template, hash, node, podName, randomUUID(), now());
      await writer.put({ resource: 'pods', namespace, name: podName }, pod);
      dsLog.info({ pod: podName, node }, 'pod created');
      void recorder.event(objectReference(ds), 'Normal', 'SuccessfulCreate', `Created pod: ${podName}`);
    }
    for (const pod of plan.remove) {
      await deletePod(writer, pod, now());
      dsLog.info({ pod: pod.metadata.name }, 'pod deleted');
      void recorder.event(objectReference(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    }
    if (create.length > 0 || plan.remove.length > 0) {
      queue.add(key);
      return;
    }
    if (!semanticEqual(ds.status, plan.status)) {
      await writer.update({ resource: 'daemonsets', namespace, name }, (o) => {
        if (o.metadata.uid !== ds.metadata.uid) return undefined;
        return { ...o, status: plan.status };
      });
    }
    const live = new Set([update.metadata.name, ...pods.map((p) => `${name}-${podRevision(p) ?? ''}`)]);
    await pruneRevisions(deps, ds, ownedRevisions(deps, ds), live);
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && plan.status.numberReady !== plan.status.numberAvailable) queue.addAfter(key, 1000);
  }

  return controller;
}
