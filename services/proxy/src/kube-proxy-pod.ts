/**
 * The proxy shows itself as a kube-system pod, `kube-proxy-<node>` (label
 * k8s-app=kube-proxy, hostNetwork, bound to its node, Running and Ready with
 * podIP = hostIP = the node's IP), so `kubectl get pods -n kube-system` and
 * `kubectl logs -l k8s-app=kube-proxy` find it. The pod is a mirror of a process the
 * node-agent does not run (annotation kubernetes.io/config.mirror, as the kubelet marks
 * static pods): the proxy writes it itself and writes it again when it is deleted.
 */
import type { KubeObject, ObjectKey, Pod } from '@kemu/api';
import { type Change, ConflictError, type Informer, type ObjectWriter, getObject } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import { randomUUID } from 'node:crypto';

/** Label value of the proxy's pod under `k8s-app`. */
export const KUBE_PROXY_APP = 'kube-proxy';
/** Image name shown for the proxy's container. */
export const KUBE_PROXY_IMAGE = 'kemu/kube-proxy:userspace';

/** Who the pod describes. */
export interface KubeProxyPodOptions {
  node: string;
  nodeIP: string;
  /** Identifies this process's container (changes on restart). */
  containerID: string;
  startedAt: string;
}

/** The key of a node's proxy pod. */
export function kubeProxyPodKey(node: string): ObjectKey {
  return { resource: 'pods', namespace: 'kube-system', name: `kube-proxy-${node}` };
}

/** A new proxy pod for the node, already Running and Ready. */
export function buildKubeProxyPod(options: KubeProxyPodOptions, uid: string = randomUUID()): Pod {
  const key = kubeProxyPodKey(options.node);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: key.name,
      namespace: key.namespace,
      uid,
      creationTimestamp: options.startedAt,
      labels: { 'k8s-app': KUBE_PROXY_APP },
      annotations: { 'kubernetes.io/config.mirror': uid, 'kubernetes.io/config.source': 'kemu' },
    },
    spec: {
      nodeName: options.node,
      hostNetwork: true,
      containers: [{ name: 'kube-proxy', image: KUBE_PROXY_IMAGE, command: ['kube-proxy', '--proxy-mode=userspace'] }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      priorityClassName: 'system-node-critical',
      serviceAccountName: 'kube-proxy',
      terminationGracePeriodSeconds: 30,
      tolerations: [{ operator: 'Exists' }],
    },
  };
  return withRunningStatus(pod, options) as Pod;
}

/** The pod with Running/Ready status for this process; undefined when it already says so. */
export function withRunningStatus(current: KubeObject, options: KubeProxyPodOptions): KubeObject | undefined {
  const pod = current as Pod;
  const old = pod.status?.containerStatuses?.[0];
  if (old?.containerID === options.containerID && old.ready && pod.status?.podIP === options.nodeIP) return undefined;
  const restartCount = old ? old.restartCount + (old.containerID === options.containerID ? 0 : 1) : 0;
  const at = options.startedAt;
  const condition = (type: string) => ({ type, status: 'True' as const, lastProbeTime: null, lastTransitionTime: at });
  return {
    ...pod,
    status: {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(
        condition,
      ),
      hostIP: options.nodeIP,
      hostIPs: [{ ip: options.nodeIP }],
      podIP: options.nodeIP,
      podIPs: [{ ip: options.nodeIP }],
      startTime: pod.status?.startTime ?? at,
      qosClass: 'BestEffort',
      containerStatuses: [
        {
          name: 'kube-proxy',
          image: KUBE_PROXY_IMAGE,
          imageID: KUBE_PROXY_IMAGE,
          containerID: options.containerID,
          ready: true,
          started: true,
          restartCount,
          state: { running: { startedAt: at } },
          lastState:
            old && old.containerID !== options.containerID ? { terminated: { exitCode: 0, reason: 'Completed' } } : {},
        },
      ],
    },
  };
}

/** Creates the pod, or updates its status when it exists; a pod being deleted is replaced. */
export async function publishKubeProxyPod(
  writer: ObjectWriter,
  informer: Informer,
  options: KubeProxyPodOptions,
): Promise<void> {
  const key = kubeProxyPodKey(options.node);
  const current = getObject(informer.view, key);
  if (current?.metadata.deletionTimestamp) await writer.remove(key, current);
  if (!current || current.metadata.deletionTimestamp) {
    try {
      await writer.put(key, buildKubeProxyPod(options));
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  await writer.update(key, (pod) => withRunningStatus(pod, options));
}

/** Publishes the pod now and again whenever it is deleted; returns the stopper. */
export function keepKubeProxyPod(
  writer: ObjectWriter,
  informer: Informer,
  options: KubeProxyPodOptions,
  log: Logger,
): () => void {
  const key = kubeProxyPodKey(options.node);
  let queue: Promise<void> = Promise.resolve();
  const publish = () => {
    queue = queue
      .then(() => publishKubeProxyPod(writer, informer, options))
      .then(() => log.info({ pod: `${key.namespace}/${key.name}` }, 'published kube-proxy pod'))
      .catch((err: unknown) =>
        log.error({ err, pod: `${key.namespace}/${key.name}` }, 'cannot publish kube-proxy pod'),
      );
  };
  const off = informer.onChange((c: Change) => {
    if (c.key.resource !== 'pods' || c.key.namespace !== key.namespace || c.key.name !== key.name) return;
    if (c.type === 'DELETED' || (c.object.metadata.deletionTimestamp && !c.old?.metadata.deletionTimestamp)) publish();
  });
  publish();
  return off;
}
