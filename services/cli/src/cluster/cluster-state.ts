/**
 * Is a cluster up? It is when its supervisor process is alive (and really belongs to the
 * cluster: its environment says KEMU_CLUSTER=<cluster>, which guards against pid reuse).
 */
import type { ClusterContext } from '../cluster-context.js';
import type { ClusterConfig } from './components.js';
import { isAlive, processHasEnv } from './processes.js';
import { readJsonFile, readPidFile } from '../state-store.js';

/** What the state directory says about a cluster. */
export interface ClusterState {
  config: ClusterConfig | undefined;
  supervisorPid: number | undefined;
  /** True when the supervisor is alive. */
  up: boolean;
}

/** Tells whether `pid` is alive and belongs to the cluster. */
export async function isClusterProcess(pid: number | undefined, cluster: string): Promise<boolean> {
  return pid !== undefined && (await isAlive(pid)) && (await processHasEnv(pid, 'KEMU_CLUSTER', cluster));
}

/** Reads cluster.json and the supervisor pid and checks that the supervisor runs. */
export async function readClusterState(ctx: ClusterContext): Promise<ClusterState> {
  const config = await readJsonFile<ClusterConfig>(ctx.paths.clusterFile);
  const supervisorPid = await readPidFile(ctx.paths.supervisorPidFile);
  return { config, supervisorPid, up: config !== undefined && (await isClusterProcess(supervisorPid, ctx.cluster)) };
}
