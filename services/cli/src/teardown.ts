/**
 * Removes everything of a cluster, in the order that keeps anything from coming back:
 * the supervisor first (so nothing restarts), then components and nats-server, then pod
 * processes (found in pod netns, and by KEMU_CLUSTER plus KEMU_STATE_DIR in their
 * environment), then every
 * netns and the host veth, then the state directory. Each step tolerates missing parts.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { clusterNetnsPrefix, deleteClusterNetwork, linkExists, listNetns, netnsPids } from '@kemu/netns';
import type { ClusterContext } from './cluster-context.js';
import { isClusterProcess } from './cluster-state.js';
import { findProcessesWithEnv, stopProcesses } from './processes.js';
import { readJsonFile, readPidFile } from './state-store.js';

/** What `teardownCluster` found and removed. */
export interface TeardownResult {
  /** False when nothing of the cluster existed. */
  found: boolean;
}

/** Stops all processes of the cluster and deletes its network and state directory. */
export async function teardownCluster(ctx: ClusterContext, report: (msg: string) => void): Promise<TeardownResult> {
  const { cluster, paths } = ctx;
  let found = existsSync(paths.stateDir);

  const supervisor = await readPidFile(paths.supervisorPidFile);
  if (await isClusterProcess(supervisor, cluster)) {
    found = true;
    report(`stopping supervisor (pid ${supervisor})`);
    await stopProcesses([supervisor as number]);
  }

  const recorded = Object.values((await readJsonFile<Record<string, number>>(paths.pidsFile)) ?? {});
  const natsPid = await readPidFile(paths.natsPidFile);
  if (natsPid) recorded.push(natsPid);
  const components: number[] = [];
  for (const pid of new Set(recorded))
    if (typeof pid === 'number' && (await isClusterProcess(pid, cluster))) components.push(pid);
  if (components.length > 0) {
    found = true;
    report(`stopping ${components.length} processes (components and nats-server)`);
    await stopProcesses(components);
  }

  const prefix = clusterNetnsPrefix(cluster);
  const netns = (await listNetns()).filter((n) => n.startsWith(prefix));
  const podPids: number[] = [];
  for (const ns of netns.filter((n) => n.startsWith(`${prefix}pod-`))) podPids.push(...(await netnsPids(ns)));
  podPids.push(...(await findProcessesWithEnv({ KEMU_CLUSTER: cluster, KEMU_STATE_DIR: paths.stateDir })));
  if (podPids.length > 0) {
    found = true;
    report(`stopping ${new Set(podPids).size} remaining processes (pods)`);
    await stopProcesses(podPids);
  }

  if (netns.length > 0 || (await linkExists(undefined, `km-${cluster}`))) {
    found = true;
    report(`deleting network (${netns.length} network namespaces, link km-${cluster})`);
    await deleteClusterNetwork({ cluster });
  }

  if (existsSync(paths.stateDir)) {
    report(`removing ${paths.stateDir}`);
    await rm(paths.stateDir, { recursive: true, force: true });
  }
  return { found };
}
