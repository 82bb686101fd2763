/**
 * Removing a joined node (`kemu node down`, and `node up` cleaning up after a failure):
 * its supervisor and components, its Node and the pods bound to it in the log (as
 * Kubernetes' pod GC removes pods of a deleted node), its pods' netns (found through the
 * log and through their veths on the node, so also without NATS), its netns and veth,
 * and its state directory. Each step tolerates missing parts.
 */
import { rm } from 'node:fs/promises';
import { createLogger } from '@kemu/log';
import {
  clusterNetnsPrefix,
  deleteNetns,
  detachNodeNetns,
  ipIn,
  listNetns,
  netnsExists,
  podNetnsName,
} from '@kemu/netns';
import { stringFlag } from '../args.js';
import type { CommandIO } from '../command.js';
import { configFromEnv } from '../config.js';
import { type JoinedNodeConfig, nodePaths } from './node-config.js';
import { deleteNodeObjects, openClusterLog } from './node-join.js';
import { removeContainerRuntimes } from '../cluster/container-runtimes.js';
import { findProcessesWithEnv, isAlive, stopProcesses } from '../cluster/processes.js';
import { readJsonFile, readPidFile } from '../state-store.js';

/** Netns of the pods whose host veth (`v<uid8>`) is in the node's netns (undefined: the current one). */
async function podNetnsOnNode(cluster: string, nodeNetns: string | undefined): Promise<string[]> {
  if (nodeNetns !== undefined && !(await netnsExists(nodeNetns))) return [];
  const links = await ipIn(nodeNetns, ['-o', 'link', 'show']).catch(() => ({ stdout: '' }));
  const prefixes = [...links.stdout.matchAll(/^\d+: v([0-9a-f]{8})@/gm)].map(
    (m) => `${clusterNetnsPrefix(cluster)}pod-${m[1]}`,
  );
  return (await listNetns()).filter((ns) => prefixes.some((p) => ns.startsWith(p)));
}

/** Stops the node's processes, deletes its Node and pods from the log (when reachable) and its netns and state. */
export async function removeNode(
  io: CommandIO,
  node: string,
  open?: Awaited<ReturnType<typeof openClusterLog>>,
): Promise<{ found: boolean }> {
  const { ctx } = io;
  const paths = nodePaths(ctx, node);
  const config = await readJsonFile<JoinedNodeConfig>(paths.configFile);
  let found = config !== undefined;
  const report = (msg: string) => io.stderr.write(` • ${msg}\n`);

  const supervisor = await readPidFile(paths.supervisorPidFile);
  const pids = Object.values((await readJsonFile<Record<string, number>>(paths.pidsFile)) ?? {});
  const procs = [...new Set([supervisor, ...pids])].filter(
    (p): p is number => typeof p === 'number' && p !== process.pid,
  );
  const alive: number[] = [];
  for (const p of procs) if (await isAlive(p)) alive.push(p);
  if (alive.length > 0) {
    found = true;
    report(`stopping supervisor, node-agent and proxy (${alive.length} processes)`);
    await stopProcesses(alive);
  }

  let podUids: string[] = [];
  const cliConfig = configFromEnv(io.env);
  const natsUrl = config?.natsUrl ?? stringFlag(io.args, 'nats') ?? cliConfig.natsUrl?.join(',');
  if (natsUrl) {
    const log = createLogger({ component: 'kemu-cli', level: 'warn' });
    try {
      const cluster =
        open ??
        (await openClusterLog(
          natsUrl,
          `kemu-node-down-${node}`,
          log,
          cliConfig.streamReplicas,
          config?.natsNkeyFile,
          config?.natsTlsCa,
        ));
      try {
        const r = await deleteNodeObjects(cluster.eventLog, cluster.informer, node);
        podUids = r.podUids;
        if (r.nodeDeleted) {
          found = true;
          report(`deleted Node ${node} and ${podUids.length} pods bound to it`);
        }
      } finally {
        if (!open) await cluster.close();
      }
    } catch (err) {
      report(`cannot delete Node ${node} from the cluster: ${(err as Error).message}`);
    }
  }

  const podProcs = await findProcessesWithEnv({ KEMU_CLUSTER: ctx.cluster, KEMU_STATE_DIR: paths.stateDir });
  if (podProcs.length > 0) {
    found = true;
    report(`stopping ${podProcs.length} remaining processes (pods)`);
    await stopProcesses(podProcs);
  }
  // Pods' netns: those the log bound to the node, and those whose veth hangs off the
  // node's pod bridge (found even when NATS is out of reach).
  const podNetns = new Set(podUids.map((uid) => podNetnsName(ctx.cluster, uid)));
  if (config) for (const ns of await podNetnsOnNode(ctx.cluster, config.netns ?? undefined)) podNetns.add(ns);
  const existingNetns = new Set(await listNetns());
  const podNetnsThere = [...podNetns].filter((ns) => existingNetns.has(ns));
  if (podNetnsThere.length > 0) report(`deleting ${podNetnsThere.length} pod network namespaces`);
  for (const ns of podNetnsThere) {
    await deleteNetns(ns);
    await rm(`/etc/netns/${ns}`, { recursive: true, force: true });
  }
  if (config?.netns && config.vethName) {
    report(`deleting netns ${config.netns} and link ${config.vethName}`);
    await detachNodeNetns({ netns: config.netns, bridgeNetns: config.bridgeNetns, vethName: config.vethName });
  }
  if ((await removeContainerRuntimes(paths.stateDir)) > 0) found = true;
  await rm(paths.stateDir, { recursive: true, force: true });
  return { found };
}
