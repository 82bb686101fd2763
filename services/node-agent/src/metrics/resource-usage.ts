/**
 * The node's resource usage for its `/metrics/resource` endpoint, measured when scraped
 * (as the kubelet's resource collector asks cAdvisor at scrape time): every running
 * container of this node's pods, found by the init pid its status carries
 * (`kemu://<pid>`) — a mirror pod's (the kube-proxy and dns processes the supervisor runs)
 * ends in the process's pid (`kemu://kube-proxy-<node>-<pid>`) — and the node as the sum of its pods plus the node-agent's own process
 * tree without the containers in it — the node has no cgroup of its own here, and what else runs on the machine is not
 * the node's.
 */
import { CONFIG_MIRROR_ANNOTATION, type Pod } from '@kemu/api';
import {
  type ContainerUsage,
  type MetricsRegistry,
  type ResourceUsage,
  renderResourceMetrics,
  serveMetrics,
} from '@kemu/metrics';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pidOf } from '../pods/pod-adoption.js';
import { type Usage, containerUsage, processTreeUsage } from './container-usage.js';

/** The process a running container status names: a container's init, or a mirror pod's process. */
function processOf(pod: Pod, containerID: string | undefined): number | undefined {
  const pid = pidOf(containerID);
  if (pid !== undefined || !pod.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION]) return pid;
  const m = /^kemu:\/\/.+-(\d+)$/.exec(containerID ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Measures a node's usage. */
export interface ResourceUsageOptions {
  /** This node's pods. */
  pods(): Pod[];
  /** Usage of the container whose init is `pid` (default: cgroup, else /proc). */
  measure?: (pid: number) => Usage | undefined;
  /** Usage of the node's own processes, given the containers' init pids (default: the node-agent's process tree without them). */
  own?: (containerPids: ReadonlySet<number>) => Usage | undefined;
  now?: () => number;
}

/** Measures the node and its containers now. */
export function measureResourceUsage(o: ResourceUsageOptions): ResourceUsage {
  const measure = o.measure ?? containerUsage;
  const own = o.own ?? ((pids: ReadonlySet<number>) => processTreeUsage(process.pid, undefined, pids));
  const pids = new Set<number>();
  const timestampMs = (o.now ?? Date.now)();
  const containers: ContainerUsage[] = [];
  for (const pod of o.pods()) {
    if (pod.status?.phase !== 'Running') continue;
    for (const s of pod.status.containerStatuses ?? []) {
      const pid = s.state?.running ? processOf(pod, s.containerID) : undefined;
      if (pid !== undefined) pids.add(pid);
      const usage = pid !== undefined ? measure(pid) : undefined;
      if (!usage) continue;
      const started = Date.parse(s.state?.running?.startedAt ?? '');
      containers.push({
        namespace: pod.metadata.namespace ?? 'default',
        pod: pod.metadata.name,
        container: s.name,
        ...usage,
        ...(Number.isFinite(started) ? { startTime: started / 1000 } : {}),
      });
    }
  }
  const self = own(pids) ?? { cpuSeconds: 0, memoryBytes: 0 };
  const node = containers.reduce(
    (sum, c) => ({ cpuSeconds: sum.cpuSeconds + c.cpuSeconds, memoryBytes: sum.memoryBytes + c.memoryBytes }),
    self,
  );
  return { timestampMs, node, containers };
}

/** The `/metrics/resource` body of a measurement taken now. */
export function resourceMetricsText(o: ResourceUsageOptions): string {
  return renderResourceMetrics(measureResourceUsage(o));
}

/** The node endpoints' metrics paths: `/metrics` from the registry, `/metrics/resource` measured now. */
export function metricsPaths(
  registry: MetricsRegistry,
  pods: () => Pod[],
): Record<string, (req: IncomingMessage, res: ServerResponse) => void> {
  return {
    '/metrics': (req, res) => void serveMetrics(registry, req, res),
    '/metrics/resource': (_req, res) => {
      let body: string;
      try {
        body = resourceMetricsText({ pods });
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(err as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
    },
  };
}
