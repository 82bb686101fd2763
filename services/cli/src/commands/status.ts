/** `kemu status`: components with pid, liveness and restarts; nodes and pods from the apiserver. */
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
    metadata?: { name?: string };
    status?: { conditions?: { type: string; status: string }[]; addresses?: { type: string; address: string }[] };
  }[];
}
interface PodList {
  items?: { status?: { phase?: string } }[];
}

async function runStatus(io: CommandIO): Promise<number> {
  const { ctx } = io;
  const state = await readClusterState(ctx);
  if (!state.config) throw new ClusterNotUpError(ctx.cluster);
  const { config } = state;
  const out = io.stdout;
  out.write(
    `Cluster "${ctx.cluster}": ${state.up ? 'up' : 'DOWN (supervisor not running)'}, ${config.nodes} nodes, apiserver ${apiserverUrl(config.apiserverPort)}\n\n`,
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
    for (const n of nodes.items ?? []) {
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '-';
      nodeRows.push([n.metadata?.name ?? '?', ready?.status === 'True' ? 'Ready' : 'NotReady', ip]);
    }
    out.write(`${formatTable(nodeRows)}\n`);
    const pods = (await api.getJson<PodList>('/api/v1/pods')).items ?? [];
    const running = pods.filter((p) => p.status?.phase === 'Running').length;
    out.write(`Pods: ${pods.length} (${running} Running)\n`);
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
