/**
 * Each dns process shows itself as a kube-system pod, `coredns-<node>` (label
 * k8s-app=kube-dns, hostNetwork, bound to its node, podIP = hostIP = the node's IP), so
 * the kube-dns Service selects it, the endpoints controller lists node-IP:53 for it, and
 * `kubectl get pods -n kube-system -l k8s-app=kube-dns` finds it. Like the kube-proxy pod
 * it mirrors a process the node-agent does not run (annotation kubernetes.io/config.mirror):
 * the process writes it, Ready once its view is synced and it listens, writes it again
 * when it is deleted, and marks it not Ready when it stops.
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

/** Label value of the dns pods under `k8s-app`. */
export const KUBE_DNS_APP = 'kube-dns';
/** Image name shown for the dns container. */
export const COREDNS_IMAGE = 'kemu/coredns:kemu';

/** Who the pod describes. */
export type CorednsPodOptions = MirrorPodRun;

/** The key of a node's dns pod. */
export function corednsPodKey(node: string): ObjectKey {
  return { resource: 'pods', namespace: 'kube-system', name: `coredns-${node}` };
}

/** A new dns pod for the node, Running and Ready. */
export function buildCorednsPod(options: CorednsPodOptions, uid?: string): Pod {
  const pod = buildMirrorPod(
    corednsPodKey(options.node),
    options,
    KUBE_DNS_APP,
    {
      containers: [
        {
          name: 'coredns',
          image: COREDNS_IMAGE,
          args: ['-conf', '/etc/coredns/Corefile'],
          ports: [
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
            { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
          ],
        },
      ],
      dnsPolicy: 'Default',
      priorityClassName: 'system-cluster-critical',
      serviceAccountName: 'coredns',
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
    },
    uid,
  );
  return withStatus(pod, options, true) as Pod;
}

const CONTAINER: MirrorContainer = {
  name: 'coredns',
  image: COREDNS_IMAGE,
  lastTerminated: { exitCode: 137, reason: 'Error' },
};

/** The pod with this process's Running status, Ready or not; undefined when it already says so. */
export function withStatus(current: KubeObject, options: CorednsPodOptions, ready: boolean): KubeObject | undefined {
  return mirrorPodStatus(current, options, CONTAINER, ready);
}

/** Creates the pod, or updates its status when it exists; a pod being deleted is replaced. */
export function publishCorednsPod(writer: ObjectWriter, informer: Informer, options: CorednsPodOptions): Promise<void> {
  return publishMirrorPod(
    writer,
    informer,
    corednsPodKey(options.node),
    () => buildCorednsPod(options),
    (pod) => withStatus(pod, options, true),
  );
}

/** Marks the pod not Ready (a graceful stop), so the endpoints controller drops it at once. */
export async function markCorednsPodNotReady(writer: ObjectWriter, options: CorednsPodOptions): Promise<void> {
  await writer.update(corednsPodKey(options.node), (pod) => withStatus(pod, options, false));
}

/** Publishes the pod now and again whenever it is deleted; returns the stopper. */
export function keepCorednsPod(
  writer: ObjectWriter,
  informer: Informer,
  options: CorednsPodOptions,
  log: Logger,
): () => void {
  return keepMirrorPod(informer, corednsPodKey(options.node), () => publishCorednsPod(writer, informer, options), log);
}
