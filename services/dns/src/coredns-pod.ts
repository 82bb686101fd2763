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
import { type Change, ConflictError, type Informer, type ObjectWriter, getObject } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import { randomUUID } from 'node:crypto';

/** Label value of the dns pods under `k8s-app`. */
export const KUBE_DNS_APP = 'kube-dns';
/** Image name shown for the dns container. */
export const COREDNS_IMAGE = 'kemu/coredns:kemu';

/** Who the pod describes. */
export interface CorednsPodOptions {
  node: string;
  nodeIP: string;
  /** Identifies this process's container (changes on restart). */
  containerID: string;
  startedAt: string;
}

/** The key of a node's dns pod. */
export function corednsPodKey(node: string): ObjectKey {
  return { resource: 'pods', namespace: 'kube-system', name: `coredns-${node}` };
}

/** A new dns pod for the node, Running and Ready. */
export function buildCorednsPod(options: CorednsPodOptions, uid: string = randomUUID()): Pod {
  const key = corednsPodKey(options.node);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: key.name,
      namespace: key.namespace,
      uid,
      creationTimestamp: options.startedAt,
      labels: { 'k8s-app': KUBE_DNS_APP },
      annotations: { 'kubernetes.io/config.mirror': uid, 'kubernetes.io/config.source': 'kemu' },
    },
    spec: {
      nodeName: options.node,
      hostNetwork: true,
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
      restartPolicy: 'Always',
      dnsPolicy: 'Default',
      priorityClassName: 'system-cluster-critical',
      serviceAccountName: 'coredns',
      terminationGracePeriodSeconds: 30,
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
    },
  };
  return withStatus(pod, options, true) as Pod;
}

/** The pod with this process's Running status, Ready or not; undefined when it already says so. */
export function withStatus(current: KubeObject, options: CorednsPodOptions, ready: boolean): KubeObject | undefined {
  const pod = current as Pod;
  const old = pod.status?.containerStatuses?.[0];
  if (old?.containerID === options.containerID && old.ready === ready && pod.status?.podIP === options.nodeIP) {
    return undefined;
  }
  const restartCount = old ? old.restartCount + (old.containerID === options.containerID ? 0 : 1) : 0;
  const at = options.startedAt;
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
      hostIP: options.nodeIP,
      hostIPs: [{ ip: options.nodeIP }],
      podIP: options.nodeIP,
      podIPs: [{ ip: options.nodeIP }],
      startTime: pod.status?.startTime ?? at,
      qosClass: 'BestEffort',
      containerStatuses: [
        {
          name: 'coredns',
          image: COREDNS_IMAGE,
          imageID: COREDNS_IMAGE,
          containerID: options.containerID,
          ready,
          started: true,
          restartCount,
          state: { running: { startedAt: at } },
          lastState:
            old && old.containerID !== options.containerID ? { terminated: { exitCode: 137, reason: 'Error' } } : {},
        },
      ],
    },
  };
}

/** Creates the pod, or updates its status when it exists; a pod being deleted is replaced. */
export async function publishCorednsPod(
  writer: ObjectWriter,
  informer: Informer,
  options: CorednsPodOptions,
): Promise<void> {
  const key = corednsPodKey(options.node);
  const current = getObject(informer.view, key);
  if (current?.metadata.deletionTimestamp) await writer.remove(key, current);
  if (!current || current.metadata.deletionTimestamp) {
    try {
      await writer.put(key, buildCorednsPod(options));
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  await writer.update(key, (pod) => withStatus(pod, options, true));
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
  const key = corednsPodKey(options.node);
  const pod = `${key.namespace}/${key.name}`;
  let queue: Promise<void> = Promise.resolve();
  const publish = () => {
    queue = queue
      .then(() => publishCorednsPod(writer, informer, options))
      .then(() => log.info({ pod }, 'published dns pod'))
      .catch((err: unknown) => log.error({ err, pod }, 'cannot publish dns pod'));
  };
  const off = informer.onChange((c: Change) => {
    if (c.key.resource !== 'pods' || c.key.namespace !== key.namespace || c.key.name !== key.name) return;
    if (c.type === 'DELETED' || (c.object.metadata.deletionTimestamp && !c.old?.metadata.deletionTimestamp)) publish();
  });
  publish();
  return off;
}
