/**
 * `kemu status`: components with pid, liveness and restarts; nodes and pods from the
 * apiserver. Hollow nodes (label kemu.dev/hollow) are summed up in one line and their pods
 * counted apart from real ones: a hollow pod has no process and never counts as real.
 */
import { HOLLOW_LABEL } from '@kemu/api';
import { apiserverUrl, clusterApiClient } from '../client/cluster-api.js';
import { readClusterState } from '../cluster/cluster-state.js';
import type { Command, CommandIO } from '../command.js';
import { ClusterNotUpError } from '../errors.js';
import { isAlive } from '../cluster/processes.js';
import { readJsonFile } from '../state-store.js';
import type { ComponentStatus } from '../cluster/supervisor.js';
import { formatTable } from '../format/table.js';

interface NodeList {
  items?: {
    metadata?: { name?: string; labels?: Record<string, string> };
    status?: { conditions?: { type: string; status: string }[]; addresses?: { type: string; address: string }[] };
  }[];
}
interface PodList {
  items?: {
    metadata?: { annotations?: Record<string, string> };
    spec?: { nodeName?: string };
    status?: { phase?: string };
  }[];
}

/** `N (M Running)` of a list of pods. */
function podCount(pods: NonNullable<PodList['items']>): string {
  return `${pods.length} (${pods.filter((p) => p.status?.phase === 'Running').length} Running)`;
}

async function runStatus(io: CommandIO): Promise<number> {
  const { ctx } = io;
  const state = await readClusterState(ctx);
  if (!state.config) throw new ClusterNotUpError(ctx.cluster);
  const { config } = state;
  const out = io.stdout;
  out.write(
    `Cluster "${ctx.cluster}": ${state.up ? 'up' : 'DOWN (supervisor not running)'}, ${config.nodes} nodes${config.hollowNodes ? ` + ${config.hollowNodes} hollow` : ''}, apiserver ${apiserverUrl(config.apiserverPort)}, proxy mode ${config.proxyMode ?? 'userspace'}\n\n`,
  );

  const status = (await readJsonFile<Record<string, ComponentStatus>>(ctx.paths.statusFile)) ?? {};
  const rows: string[][] = [['COMPONENT', 'PID', 'ALIVE', 'RESTARTS', 'STARTED', 'LAST EXIT']];
  rows.push(['supervisor', String(state.supervisorPid ?? '-'), state.up ? 'yes' : 'no', '-', '-', '-']);
  for (const [name, s] of Object.entries(status)) {
    const alive = s.pid !== null && (await isAlive(s.pid));
    rows.push([
      name,
      String(s.pid ?? '-'),
      alive ? 'yes' : 'no',
      String(s.restarts),
      s.startedAt ?? '-',
      s.lastExit ?? '-',
    ]);
  }
  out.write(`${formatTable(rows)}\n`);

  try {
    const api = await clusterApiClient(ctx.paths.stateDir, config, 3_000);
    const nodes = await api.getJson<NodeList>('/api/v1/nodes');
    const nodeRows = [['NODE', 'STATUS', 'INTERNAL-IP']];
    const isReady = (n: NonNullable<NodeList['items']>[number]) =>
      n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const hollowNodes = new Set<string>();
    let hollowReady = 0;
    for (const n of nodes.items ?? []) {
      if (n.metadata?.labels?.[HOLLOW_LABEL] === 'true') {
        hollowNodes.add(n.metadata.name ?? '');
        if (isReady(n)) hollowReady++;
        continue;
      }
      const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '-';
      nodeRows.push([n.metadata?.name ?? '?', isReady(n) ? 'Ready' : 'NotReady', ip]);
    }
    out.write(`${formatTable(nodeRows)}\n`);
    if (hollowNodes.size > 0) out.write(`Hollow nodes: ${hollowNodes.size} (${hollowReady} Ready)\n`);
    const pods = (await api.getJson<PodList>('/api/v1/pods')).items ?? [];
    const hollow = pods.filter(
      (p) => p.metadata?.annotations?.[HOLLOW_LABEL] === 'true' || hollowNodes.has(p.spec?.nodeName ?? ''),
    );
    const hollowSet = new Set(hollow);
    const real = pods.filter((p) => !hollowSet.has(p));
    out.write(`Pods: ${podCount(real)}${hollowNodes.size > 0 ? `; hollow pods: ${podCount(hollow)}` : ''}\n`);
  } catch (err) {
    out.write(`apiserver: not answering (${(err as Error).message})\n`);
  }
  return state.up ? 0 : 1;
}

/** `kemu status`. */
export const statusCommand: Command = {
  name: 'status',
  usage: 'kemu status [--name C]',
  summary: 'show components, nodes and pods of a cluster',
  flags: [],
  run: runStatus,
};
