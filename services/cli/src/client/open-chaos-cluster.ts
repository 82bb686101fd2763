/**
 * The `kemu` CLI's side of chaos: a running cluster, opened from its state folder, as
 * @kemu/chaos drives it. Requests use node:https with the cluster CA and admin token.
 */
import { request } from 'node:https';
import { type ChaosCluster, ChaosApiError, type ChaosPod } from '@kemu/chaos';
import { clusterLayout } from '@kemu/netns';
import type { ClusterContext } from '../cluster-context.js';
import { readCaCert } from '../cluster/cluster-pki.js';
import { readClusterState } from '../cluster/cluster-state.js';
import { hollowNodes, natsCredentialEnv, natsUrl } from '../cluster/components.js';
import { ADMIN_USER } from '../cluster/nats-auth.js';
import { ClusterNotUpError } from '../errors.js';
import { readJsonFile } from '../state-store.js';

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
              reject(new ChaosApiError(status, `${method} ${path}: ${message || `HTTP ${status}`}`));
              return;
            }
            resolve(JSON.parse(text) as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
      req.on('error', (err) => reject(new ChaosApiError(0, `${method} ${path}: ${err.message}`, err)));
      req.end(payload);
    });
  }

  return {
    name: ctx.cluster,
    stateDir: ctx.paths.stateDir,
    natsUrl: natsUrl(config),
    natsNkeyFile: natsCredentialEnv(config, ctx.paths.stateDir, ADMIN_USER).KEMU_NATS_NKEY_FILE,
    natsTlsCa: natsCredentialEnv(config, ctx.paths.stateDir, ADMIN_USER).KEMU_NATS_TLS_CA,
    layout,
    hollowNodes: hollowNodes(config).map((h) => h.name),
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
