/**
 * What chaos needs of a running cluster: its layout, the supervisor's pids, and the
 * apiserver for reads and writes (deletes and the probe pod go through the apiserver, as
 * kubectl's would). Writes use node:https with the cluster CA and admin token.
 */
import { request } from 'node:https';
import { type ClusterLayout, clusterLayout } from '@kemu/netns';
import type { ClusterContext } from '../cluster-context.js';
import { readCaCert } from '../cluster/cluster-pki.js';
import { readClusterState } from '../cluster/cluster-state.js';
import type { ClusterConfig } from '../cluster/components.js';
import { ApiRequestError, ClusterNotUpError } from '../errors.js';
import { readJsonFile } from '../state-store.js';

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
  ctx: ClusterContext;
  config: ClusterConfig;
  layout: ClusterLayout;
  /** Sends a request to the apiserver; throws ApiRequestError on a non-2xx answer. */
  api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** pids.json now: component → pid. */
  pids(): Promise<Record<string, number>>;
  /** Pods matching a namespace and label map (and optionally a node). */
  listPods(namespace: string, labels: Record<string, string>): Promise<ChaosPod[]>;
}

/** Opens a running cluster; ClusterNotUpError when it is not up. */
export async function openChaosCluster(ctx: ClusterContext): Promise<ChaosCluster> {
  const state = await readClusterState(ctx);
  if (!state.up || !state.config) throw new ClusterNotUpError(ctx.cluster);
  const config = state.config;
  const ca = await readCaCert(ctx.paths.stateDir);
  const layout = clusterLayout(config.cluster, config.nodes, config.subnetIndex);

  function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: config.apiserverPort,
          path,
          method,
          ca,
          agent: false,
          timeout: 10_000,
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${config.token}`,
            ...(payload ? { 'content-type': 'application/json' } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) {
              let message = text.trim();
              try {
                message = (JSON.parse(text) as { message?: string }).message ?? message;
              } catch {
                // Not a Status; keep the text.
              }
              reject(new ApiRequestError(status, `${method} ${path}: ${message || `HTTP ${status}`}`));
              return;
            }
            resolve(JSON.parse(text) as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
      req.on('error', (err) => reject(new ApiRequestError(0, `${method} ${path}: ${err.message}`, err)));
      req.end(payload);
    });
  }

  return {
    ctx,
    config,
    layout,
    api,
    async pids() {
      return (await readJsonFile<Record<string, number>>(ctx.paths.pidsFile)) ?? {};
    },
    async listPods(namespace, labels) {
      const selector = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
      const list = await api<{ items: ChaosPod[] }>(
        'GET',
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods${q}`,
      );
      return list.items;
    },
  };
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
