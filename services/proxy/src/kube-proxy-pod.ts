/**
 * The proxy shows itself as a kube-system pod, `kube-proxy-<node>` (label
 * k8s-app=kube-proxy, hostNetwork, bound to its node, Running and Ready with
 * podIP = hostIP = the node's IP), so `kubectl get pods -n kube-system` and
 * `kubectl logs -l k8s-app=kube-proxy` find it. The pod is a mirror of a process the
 * node-agent does not run (annotation kubernetes.io/config.mirror, as the kubelet marks
 * static pods): the proxy writes it itself and writes it again when it is deleted.
 */
import type { KubeObject, ObjectKey, Pod } from '@kemu/api';
import type { Informer, ObjectWriter } from '@kemu/eventlog';
import {
  type MirrorContainer,
  type MirrorPodRun,
  buildMirrorPod,
  keepMirrorPod,
  mirrorPodStatus,
  publishMirrorPod,
} from '@kemu/mirror-pod';
import type { Logger } from '@kemu/log';

/** Label value of the proxy's pod under `k8s-app`. */
export const KUBE_PROXY_APP = 'kube-proxy';
/** Image name shown for the proxy's container. */
export const KUBE_PROXY_IMAGE = 'kemu/kube-proxy:userspace';

/** Who the pod describes. */
export type KubeProxyPodOptions = MirrorPodRun;

/** The key of a node's proxy pod. */
export function kubeProxyPodKey(node: string): ObjectKey {
  return { resource: 'pods', namespace: 'kube-system', name: `kube-proxy-${node}` };
}

/** A new proxy pod for the node, already Running and Ready. */
export function buildKubeProxyPod(options: KubeProxyPodOptions, uid?: string): Pod {
  const pod = buildMirrorPod(
    kubeProxyPodKey(options.node),
    options,
    KUBE_PROXY_APP,
    {
      containers: [{ name: 'kube-proxy', image: KUBE_PROXY_IMAGE, command: ['kube-proxy', '--proxy-mode=userspace'] }],
      dnsPolicy: 'ClusterFirst',
      priorityClassName: 'system-node-critical',
      serviceAccountName: 'kube-proxy',
      tolerations: [{ operator: 'Exists' }],
    },
    uid,
  );
  return withRunningStatus(pod, options) as Pod;
}

const CONTAINER: MirrorContainer = {
  name: 'kube-proxy',
  image: KUBE_PROXY_IMAGE,
  lastTerminated: { exitCode: 0, reason: 'Completed' },
};

/** The pod with Running/Ready status for this process; undefined when it already says so. */
export function withRunningStatus(current: KubeObject, options: KubeProxyPodOptions): KubeObject | undefined {
  return mirrorPodStatus(current, options, CONTAINER, true);
}

/** Creates the pod, or updates its status when it exists; a pod being deleted is replaced. */
export function publishKubeProxyPod(
  writer: ObjectWriter,
  informer: Informer,
  options: KubeProxyPodOptions,
): Promise<void> {
  return publishMirrorPod(
    writer,
    informer,
    kubeProxyPodKey(options.node),
    () => buildKubeProxyPod(options),
    (pod) => withRunningStatus(pod, options),
  );
}

/** Publishes the pod now and again whenever it is deleted; returns the stopper. */
export function keepKubeProxyPod(
  writer: ObjectWriter,
  informer: Informer,
  options: KubeProxyPodOptions,
  log: Logger,
): () => void {
  return keepMirrorPod(
    informer,
    kubeProxyPodKey(options.node),
    () => publishKubeProxyPod(writer, informer, options),
    log,
  );
}
