/**
 * Mirror pods: kube-system pods that show a process the node-agent does not run (the
 * proxy, the dns server), marked with the annotation kubernetes.io/config.mirror as the
 * kubelet marks static pods. The process writes its pod itself, host-network with
 * podIP = hostIP = its node's IP, and writes it again whenever it is deleted.
 */
import {
  type KubeObject,
  type ObjectKey,
  type Pod,
  type PodSpec,
  CONFIG_MIRROR_ANNOTATION,
  CONFIG_SOURCE_ANNOTATION,
  K8S_APP_LABEL,
  CONFIG_SOURCE_KEMU,
} from '@kemu/api';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@kemu/log';
import { ConflictError, type Informer, type ObjectWriter, getObject } from '@kemu/eventlog';

/** The running process a mirror pod shows. */
export interface MirrorPodRun {
  node: string;
  nodeIP: string;
  /** Identifies this process's container (changes on restart). */
  containerID: string;
  startedAt: string;
}

/** The one container of a mirror pod, and how its previous instance is shown to have ended. */
export interface MirrorContainer {
  name: string;
  image: string;
  lastTerminated: { exitCode: number; reason: string };
}

/**
 * A new mirror pod at `key` for `run`, labelled k8s-app=`app`, bound to the run's node
 * with host networking; `spec` adds the component's own containers and settings.
 */
export function buildMirrorPod(
  key: ObjectKey,
  run: MirrorPodRun,
  app: string,
  spec: Partial<PodSpec> & Pick<PodSpec, 'containers'>,
  uid: string = randomUUID(),
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: key.name,
      namespace: key.namespace,
      uid,
      creationTimestamp: run.startedAt,
      labels: { [K8S_APP_LABEL]: app },
      annotations: { [CONFIG_MIRROR_ANNOTATION]: uid, [CONFIG_SOURCE_ANNOTATION]: CONFIG_SOURCE_KEMU },
    },
    // The node and host networking are what makes it this process's mirror pod: spec cannot change them.
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      ...spec,
      nodeName: run.node,
      hostNetwork: true,
    },
  };
}

/** The pod with this process's Running status, Ready or not; undefined when it already says so. */
export function mirrorPodStatus(
  current: KubeObject,
  run: MirrorPodRun,
  container: MirrorContainer,
  ready: boolean,
): KubeObject | undefined {
  const pod = current as Pod;
  const old = pod.status?.containerStatuses?.[0];
  if (old?.containerID === run.containerID && old.ready === ready && pod.status?.podIP === run.nodeIP) return undefined;
  const restarted = old !== undefined && old.containerID !== run.containerID;
  const at = run.startedAt;
  const readiness = ready ? 'True' : 'False';
  const condition = (type: string, status: 'True' | 'False') => ({
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: at,
  });
  return {
    ...pod,
    status: {
      phase: 'Running',
      conditions: [
        condition('PodReadyToStartContainers', 'True'),
        condition('Initialized', 'True'),
        condition('Ready', readiness),
        condition('ContainersReady', readiness),
        condition('PodScheduled', 'True'),
      ],
      hostIP: run.nodeIP,
      hostIPs: [{ ip: run.nodeIP }],
      podIP: run.nodeIP,
      podIPs: [{ ip: run.nodeIP }],
      startTime: pod.status?.startTime ?? at,
      qosClass: 'BestEffort',
      containerStatuses: [
        {
          name: container.name,
          image: container.image,
          imageID: container.image,
          containerID: run.containerID,
          ready,
          started: true,
          restartCount: old ? old.restartCount + (restarted ? 1 : 0) : 0,
          state: { running: { startedAt: at } },
          lastState: restarted ? { terminated: container.lastTerminated } : {},
        },
      ],
    },
  };
}

/** Creates the pod, or updates its status when it exists; a pod being deleted is replaced. */
export async function publishMirrorPod(
  writer: ObjectWriter,
  informer: Informer,
  key: ObjectKey,
  build: () => KubeObject,
  status: (current: KubeObject) => KubeObject | undefined,
): Promise<void> {
  const current = getObject(informer.view, key);
  if (current?.metadata.deletionTimestamp) await writer.remove(key, current);
  if (!current || current.metadata.deletionTimestamp) {
    try {
      await writer.put(key, build());
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  await writer.update(key, status);
}

/** Runs `publish` now and again whenever the pod at `key` is deleted (one at a time); returns the stopper. */
export function keepMirrorPod(
  informer: Informer,
  key: ObjectKey,
  publish: () => Promise<void>,
  log: Logger,
): () => void {
  const pod = `${key.namespace}/${key.name}`;
  let queue: Promise<void> = Promise.resolve();
  const again = () => {
    queue = queue
      .then(publish)
      .then(() => log.info({ pod }, 'published mirror pod'))
      .catch((err: unknown) => log.error({ err, pod }, 'cannot publish mirror pod'));
  };
  const isMirror = (p: Pod) => p.metadata.namespace === key.namespace && p.metadata.name === key.name;
  const off = informer.on('pods', {
    onAdd(p) {
      if (isMirror(p) && p.metadata.deletionTimestamp) again();
    },
    onUpdate(old, p) {
      if (isMirror(p) && p.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) again();
    },
    onDelete(p) {
      if (isMirror(p)) again();
    },
  });
  again();
  return off;
}
