/**
 * Removes everything of a cluster, in the order that keeps anything from coming back:
 * the supervisor first (so nothing restarts), then components and nats-server, then pod
 * processes (found in pod netns, and by KEMU_CLUSTER plus KEMU_STATE_DIR in their
 * environment), then the nodes' container runtimes (runc state, overlays, volumes), then
 * the pods' cgroups, then every netns and the host veth, then the
 * state directory. Each step tolerates missing parts.
 */
import { existsSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterNetnsPrefix, deleteClusterNetwork, linkExists, listNetns, netnsPids } from '@kemu/netns';
import type { ClusterContext } from '../cluster-context.js';
import { isClusterProcess } from './cluster-state.js';
import { removeContainerRuntimes } from './container-runtimes.js';
import { findProcessesWithEnv, stopProcesses } from './processes.js';
import { readJsonFile, readPidFile } from '../state-store.js';

/** What `teardownCluster` found and removed. */
export interface TeardownResult {
  /** False when nothing of the cluster existed. */
  found: boolean;
}

/** Live supervisor and component pids of the cluster's joined nodes under `$KEMU_HOME/nodes/<cluster>/`. */
async function joinedNodeProcesses(ctx: ClusterContext): Promise<number[]> {
  const dir = join(ctx.home, 'nodes', ctx.cluster);
  const nodes = await readdir(dir).catch(() => [] as string[]);
  const pids: number[] = [];
  for (const node of nodes) {
    const supervisor = await readPidFile(join(dir, node, 'supervisor.pid'));
    const recorded = Object.values((await readJsonFile<Record<string, number>>(join(dir, node, 'pids.json'))) ?? {});
    for (const pid of new Set([supervisor, ...recorded]))
      if (typeof pid === 'number' && pid !== process.pid && (await isClusterProcess(pid, ctx.cluster))) pids.push(pid);
  }
  return pids;
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

  // Nodes joined from this machine (`kemu node up`) go too: their supervisors first, so
  // nothing restarts into netns that are about to disappear.
  const joined = await joinedNodeProcesses(ctx);
  if (joined.length > 0) {
    found = true;
    report(`stopping ${joined.length} processes of nodes joined from this machine`);
    await stopProcesses(joined);
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

  // Containers: their monitors, runc state, overlays and volumes (what a crashed agent left too).
  const runtimeDirs = [
    paths.stateDir,
    ...(await readdir(join(ctx.home, 'nodes', cluster)).catch(() => [] as string[])).map((n) =>
      join(ctx.home, 'nodes', cluster, n),
    ),
  ];
  let containers = 0;
  for (const dir of runtimeDirs) containers += await removeContainerRuntimes(dir);
  if (containers > 0) {
    found = true;
    report(`removed ${containers} containers`);
  }

  const cgroups = await removeClusterCgroups(cluster);
  if (cgroups.removed > 0) {
    found = true;
    report(`removed ${cgroups.removed} cgroups of its pods`);
  }
  for (const dir of cgroups.left) report(`cgroup ${dir} still has processes, left in place`);

  if (netns.length > 0 || (await linkExists(undefined, `km-${cluster}`))) {
    found = true;
    report(`deleting network (${netns.length} network namespaces, link km-${cluster})`);
    await deleteClusterNetwork({ cluster });
  }

  const nodesDir = join(ctx.home, 'nodes', cluster);
  if (existsSync(nodesDir)) await rm(nodesDir, { recursive: true, force: true });

  if (existsSync(paths.stateDir)) {
    report(`removing ${paths.stateDir}`);
    await rm(paths.stateDir, { recursive: true, force: true });
  }
  return { found };
}

/** Where a node-agent puts its cluster's pod cgroups (services/node-agent pod-cgroups.ts): v2 unified, v1 memory and cpu. */
function clusterCgroupDirs(cluster: string, root = '/sys/fs/cgroup'): string[] {
  return [join(root, 'kemu', cluster), join(root, 'memory', 'kemu', cluster), join(root, 'cpu', 'kemu', cluster)];
}

/** Removes cgroup `dir` and those below it, deepest first (rmdir only: a cgroup's files go with it); counts what went. */
function removeTree(dir: string, left: string[]): number {
  let removed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const sub = join(dir, name);
    if (statSync(sub, { throwIfNoEntry: false })?.isDirectory()) removed += removeTree(sub, left);
  }
  try {
    rmdirSync(dir);
    return removed + 1;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') left.push(dir);
    return removed;
  }
}

/**
 * Removes the cluster's pod cgroups once its processes are gone: a killed process leaves
 * its cgroup a moment after it exits, so a busy cgroup is tried again for up to 2 s.
 */
async function removeClusterCgroups(cluster: string): Promise<{ removed: number; left: string[] }> {
  let removed = 0;
  let left: string[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    left = [];
    for (const dir of clusterCgroupDirs(cluster)) if (existsSync(dir)) removed += removeTree(dir, left);
    if (left.length === 0) break;
    await sleep(200);
  }
  return { removed, left };
}
