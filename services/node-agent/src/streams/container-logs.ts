/**
 * Where a pod's container output lives on this node: `$KEMU_STATE_DIR/pods/<ns>_<name>_<uid>/`
 * holds `<container>.log` (the running or last instance), `<container>.previous.log`
 * (the instance before it, for `kubectl logs --previous`), their `.times` indexes and
 * `<container>.stdin` (the stdin FIFO of containers with `stdin: true`). Mirror pods
 * (kube-proxy, dns) are the node's own components: their log is the component's log file.
 */
import { type Pod, CONFIG_MIRROR_ANNOTATION, K8S_APP_LABEL } from '@kemu/api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LogIndex } from './log-index.js';

/** The parts of a pod that name its files. */
export type PodRef = Pick<Pod, 'metadata'>;

/** Log file layout of one node. */
export interface ContainerLogs {
  podDir(pod: PodRef): string;
  current(pod: PodRef, container: string): string;
  previous(pod: PodRef, container: string): string;
  stdinPath(pod: PodRef, container: string): string;
  /** The log path of a container instance about to start: the last instance's log becomes the previous one. */
  startInstance(pod: PodRef, container: string): string;
  /** The component log a mirror pod stands for; undefined for other pods. */
  componentLog(pod: PodRef): string | undefined;
}

/** The component (log file prefix) behind a mirror pod's `k8s-app` label. */
const MIRROR_COMPONENTS: Record<string, string> = { 'kube-proxy': 'proxy', 'kube-dns': 'dns' };

/** Creates the layout under `stateDir` for `node`. */
export function createContainerLogs(o: { stateDir: string; node: string; index: LogIndex }): ContainerLogs {
  const podDir = (pod: PodRef) =>
    join(o.stateDir, 'pods', `${pod.metadata.namespace ?? 'default'}_${pod.metadata.name}_${pod.metadata.uid ?? ''}`);
  const current = (pod: PodRef, c: string) => join(podDir(pod), `${c}.log`);
  const previous = (pod: PodRef, c: string) => join(podDir(pod), `${c}.previous.log`);
  return {
    podDir,
    current,
    previous,
    stdinPath: (pod, c) => join(podDir(pod), `${c}.stdin`),
    startInstance(pod, c) {
      mkdirSync(podDir(pod), { recursive: true });
      o.index.rotate(current(pod, c), previous(pod, c));
      return current(pod, c);
    },
    componentLog(pod) {
      if (!pod.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION]) return undefined;
      const app = pod.metadata.labels?.[K8S_APP_LABEL];
      if (!app) return undefined;
      return join(o.stateDir, 'logs', `${MIRROR_COMPONENTS[app] ?? app}-${o.node}.log`);
    },
  };
}
