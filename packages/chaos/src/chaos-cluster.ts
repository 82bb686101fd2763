/**
 * What chaos needs of a running cluster: its name, state folder (for the undo journal),
 * NATS, layout, the supervisor's pids, and the apiserver for reads and writes (deletes and
 * the probe pod go through the apiserver, as kubectl's would). The front end that knows
 * where a cluster keeps its state (the `kemu` CLI) opens one.
 */
import type { ClusterLayout } from '@kemu/netns';

/** A pod as chaos reads it. */
export interface ChaosPod {
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    resourceVersion?: string;
  };
  spec: { nodeName?: string; containers: { name: string; ports?: { containerPort: number }[] }[] };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; containerID?: string; restartCount?: number; ready?: boolean }[];
  };
}

/** A running cluster as the chaos runner drives it. */
export interface ChaosCluster {
  /** The cluster's name. */
  name: string;
  /** The cluster's state folder; the undo journal lives there. */
  stateDir: string;
  /** The NATS of the cluster's event log. */
  natsUrl: string;
  /** The admin's NATS credential (seed file), when the cluster's NATS asks for one. */
  natsNkeyFile?: string | undefined;
  /** The CA of the NATS server's certificate, when it speaks TLS. */
  natsTlsCa?: string | undefined;
  layout: ClusterLayout;
  /** The cluster's hollow nodes (`kemu up --hollow-nodes`): node-kill stops them through their stop file. */
  hollowNodes?: readonly string[];
  /** Sends a request to the apiserver; throws ChaosApiError on a non-2xx answer or none. */
  api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** pids.json now: component → pid. */
  pids(): Promise<Record<string, number>>;
  /** Pods matching a namespace and label map (and optionally a node). */
  listPods(namespace: string, labels: Record<string, string>): Promise<ChaosPod[]>;
}

/** True when the pod is Ready and not being deleted. */
export function isPodReady(p: ChaosPod): boolean {
  return (
    !p.metadata.deletionTimestamp &&
    p.status?.phase === 'Running' &&
    (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/** The host pid of a pod's container (containerID `kemu://<pid>`), if it runs. */
export function containerPid(p: ChaosPod, container?: string): number | undefined {
  const statuses = p.status?.containerStatuses ?? [];
  const s = container ? statuses.find((c) => c.name === container) : statuses[0];
  const pid = Number(s?.containerID?.replace('kemu://', '') ?? '');
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
