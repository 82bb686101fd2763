/**
 * Everything behind `kubectl logs/exec/attach/port-forward` on one node, wired together: the log
 * layout and its time index (kept up to date for the node's pods by a ticker), the
 * stdin FIFOs, and the stream server with its three handlers. The pod workers use
 * `startLog` and `withStdin` when they start a container instance.
 */
import type { ContainerStatus, Pod } from '@kemu/api';
import { type View, listObjects } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import { createAttachHandler } from './attach-server.js';
import type { ContainerLaunch } from '../runtime/container-launch.js';
import { createContainerLogs } from './container-logs.js';
import { createContainerStdin } from './container-stdin.js';
import { createExecHandler } from './exec-server.js';
import { createLogIndex } from './log-index.js';
import { createLogHandler } from './log-server.js';
import { createPortForwardHandler } from './port-forward-server.js';
import { createDialHandler } from './dial-server.js';
import { createNetnsDialer } from './netns-dialer.js';
import type { NodeBus } from '@kemu/pod-streams';
import { startPodStreamServer } from './pod-stream-server.js';

/** Options of the node's pod streams. */
export interface PodStreamsOptions {
  bus: NodeBus;
  node: string;
  view: View;
  /** `$KEMU_STATE_DIR`. */
  stateDir: string;
  /** The argv prefix that enters a pod's network namespace. */
  enterPod(uid: string, pid: number): string[];
  /** The argv prefix that runs a command in a pod's network namespace (port-forward). */
  enterPodNetwork(uid: string): string[];
  /** The node's own addresses, which the apiserver proxy may reach besides the node's pods. */
  nodeAddresses(): string[];
  /** The argv prefix that runs a command inside the container whose init is `pid`. */
  enterContainer?(pid: number, tty: boolean): string[] | undefined;
  /** The host path of that container's root filesystem. */
  containerRootfs?(pid: number): string | undefined;
  readEnviron(pid: number): Promise<Record<string, string> | undefined>;
  log: Logger;
  /** How often the log index looks at the node's logs. */
  indexIntervalMs?: number;
}

/** The node's pod streams. */
export interface PodStreams {
  /** The log path for a container instance about to start; the last instance's log becomes the previous one. */
  startLog(pod: Pod, container: string): string;
  /** The launch reading stdin from the container's FIFO when the container has `stdin: true`. */
  withStdin(pod: Pod, container: string, launch: ContainerLaunch): ContainerLaunch;
  stop(): void;
}

/** Whether a container may still be writing its log: running, or stopped moments ago (its last lines). */
function writesLog(status: ContainerStatus | undefined, now: number): boolean {
  if (!status || status.state?.running) return true;
  const finished = Date.parse(status.state?.terminated?.finishedAt ?? status.lastState?.terminated?.finishedAt ?? '');
  return !Number.isNaN(finished) && now - finished < 5_000;
}

/** Starts serving the node's pod streams. */
export function startPodStreams(o: PodStreamsOptions): PodStreams {
  const index = createLogIndex();
  const logs = createContainerLogs({ stateDir: o.stateDir, node: o.node, index });
  const stdin = createContainerStdin();
  const log = o.log.child({ module: 'pod-streams' });
  const dialer = createNetnsDialer({ log });
  const server = startPodStreamServer({
    bus: o.bus,
    node: o.node,
    log,
    handlers: {
      logs: createLogHandler({ view: o.view, node: o.node, logs, index, log }),
      exec: createExecHandler({
        view: o.view,
        node: o.node,
        enterPod: o.enterPod,
        ...(o.enterContainer ? { enterContainer: o.enterContainer } : {}),
        ...(o.containerRootfs ? { containerRootfs: o.containerRootfs } : {}),
        readEnviron: o.readEnviron,
        log,
      }),
      attach: createAttachHandler({ view: o.view, node: o.node, logs, stdin, log }),
      portforward: createPortForwardHandler({
        view: o.view,
        node: o.node,
        enterPodNetwork: o.enterPodNetwork,
        dialer,
        log,
      }),
      dial: createDialHandler({ view: o.view, node: o.node, nodeAddresses: o.nodeAddresses, log }),
    },
  });

  function indexNodeLogs(): void {
    const paths = new Set<string>();
    const fifos = new Set<string>();
    const now = Date.now();
    for (const pod of listObjects(o.view, 'pods')) {
      if (pod.spec?.nodeName !== o.node || logs.componentLog(pod)) continue;
      for (const c of pod.spec.containers) {
        if (c.stdin) fifos.add(logs.stdinPath(pod, c.name));
        const status = pod.status?.containerStatuses?.find((s) => s.name === c.name);
        if (!writesLog(status, now)) continue;
        const path = logs.current(pod, c.name);
        paths.add(path);
        try {
          index.sync(path);
        } catch (err) {
          log.debug({ err, path }, 'log index update failed');
        }
      }
    }
    index.retain(paths);
    stdin.retain(fifos);
  }
  const ticker = setInterval(indexNodeLogs, o.indexIntervalMs ?? 250);
  ticker.unref();

  return {
    startLog: (pod, container) => logs.startInstance(pod, container),
    withStdin(pod, container, launch) {
      const spec = pod.spec.containers.find((c) => c.name === container);
      if (!spec?.stdin) return launch;
      return { ...launch, stdinPath: stdin.prepare(logs.stdinPath(pod, container)) };
    },
    stop() {
      clearInterval(ticker);
      server.stop();
      dialer.close();
    },
  };
}
