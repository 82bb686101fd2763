/**
 * `kemu node up|down`: one node (node-agent and proxy) on this machine that joins an
 * existing cluster through its NATS, as `kubeadm join` adds a kubelet. By default the
 * node is a netns of its own, attached to the bridge that carries the route to NATS
 * (a kemu underlay, or a docker network's bridge) with a free address there; `--here`
 * runs it in the current netns in the foreground (a compose node container is the node).
 * A supervisor restarts both with backoff as `kemu up`'s does. The cluster is
 * `--cluster C` (or KEMU_CLUSTER); `--name` is the node's name here.
 */
import { lookup } from 'node:dns/promises';
import { mkdir, rm } from 'node:fs/promises';
import type { Node } from '@kemu/api';
import { listObjects } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import {
  attachNodeNetns,
  clusterNetnsPrefix,
  ipIn,
  listNetns,
  netnsExists,
  deleteNetns,
  detachNodeNetns,
  findL2Network,
  nodeVethName,
  podNetnsName,
  routeTo,
} from '@kemu/netns';
import { boolFlag, boolFlagSpec, stringFlag, valueFlagSpec } from '../args.js';
import type { Command, CommandIO } from '../command.js';
import { CliError, PrerequisiteError, UsageError } from '../errors.js';
import { tailLogs } from '../log-tail.js';
import { spawnDetached } from '../nats-server.js';
import { type JoinedNodeConfig, joinedNodeNetns, natsHost, nodePaths, validateNodeName } from '../node-config.js';
import {
  chooseNodeAddress,
  deleteNodeObjects,
  isNodeReadyWithCidr,
  openClusterLog,
  waitForNodeReady,
} from '../node-join.js';
import { runNodeSupervisor } from '../node-supervisor.js';
import { findProcessesWithEnv, isAlive, stopProcesses } from '../processes.js';
import { readJsonFile, readPidFile, writeFileAtomic, writeJsonAtomic } from '../state-store.js';

const READY_TIMEOUT_MS = 60_000;

async function resolveIpv4(host: string): Promise<string> {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch (err) {
    throw new CliError('NatsUnreachable', `cannot resolve the NATS host ${host}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function requireRoot(what: string): void {
  if (process.getuid?.() !== 0)
    throw new PrerequisiteError(`kemu node ${what} needs root (network namespaces): run it with sudo`);
}

async function nodeUp(io: CommandIO): Promise<number> {
  requireRoot('up');
  const { ctx, args } = io;
  const node = validateNodeName(stringFlag(args, 'name'));
  const natsUrl = stringFlag(args, 'nats') ?? io.env.KEMU_NATS_URL;
  if (!natsUrl) throw new UsageError("kemu node up needs --nats nats://HOST:PORT (the cluster's NATS)");
  const here = boolFlag(args, 'here');
  const podCidr = stringFlag(args, 'pod-cidr');
  const paths = nodePaths(ctx, node);
  const running = await readPidFile(paths.supervisorPidFile);
  if (running && (await isAlive(running)) && !here) {
    io.stderr.write(`node ${node} of cluster ${ctx.cluster} is already up (supervisor pid ${running})\n`);
    return 0;
  }
  // `ip route get` takes addresses: a NATS host name (compose: nats-1) is resolved first.
  const host = await resolveIpv4(natsHost(natsUrl));
  const log = createLogger({ component: 'kemu-cli', level: 'warn' });
  const cluster = await openClusterLog(natsUrl, `kemu-node-up-${node}`, log);
  let attached: JoinedNodeConfig | undefined;
  let wroteConfig = false;
  try {
    // A Ready Node of this name elsewhere is someone else's; at our own address it is this
    // node coming back (a restarted node container), which may take its Node over again.
    const refuseIfTaken = (address: string) => {
      const existing = cluster.informer.view.objects.get(`nodes//${node}`) as Node | undefined;
      const ip = existing?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
      if (existing && isNodeReadyWithCidr(existing) && ip !== address.split('/')[0])
        throw new CliError('NodeExists', `a Ready node named ${node} (${ip}) is already in cluster ${ctx.cluster}`);
    };
    await mkdir(paths.logsDir, { recursive: true });
    const addressFlag = stringFlag(args, 'address');
    let config: JoinedNodeConfig;
    if (here) {
      const address = addressFlag ?? (await routeTo(host)).src;
      if (!address) throw new CliError('NoAddress', `no source address towards ${host}; pass --address IP`);
      refuseIfTaken(address);
      config = {
        cluster: ctx.cluster,
        node,
        natsUrl,
        address: address.split('/')[0] as string,
        netns: null,
        createdAt: new Date().toISOString(),
      };
    } else {
      const network = await findL2Network(host);
      const nodes = listObjects<Node>(cluster.informer.view, 'nodes');
      const prefix = network.hostAddress.split('/')[1];
      const address = addressFlag
        ? addressFlag.includes('/')
          ? addressFlag
          : `${addressFlag}/${prefix}`
        : await chooseNodeAddress(network, nodes);
      const netns = joinedNodeNetns(ctx.cluster, node);
      const vethName = nodeVethName(ctx.cluster, node);
      config = {
        cluster: ctx.cluster,
        node,
        natsUrl,
        address: address.split('/')[0] as string,
        netns,
        ...(network.bridgeNetns ? { bridgeNetns: network.bridgeNetns } : {}),
        vethName,
        createdAt: new Date().toISOString(),
      };
      refuseIfTaken(address);
      attached = config;
      io.stderr.write(
        ` • attaching netns ${netns} to bridge ${network.bridge}${network.bridgeNetns ? ` (netns ${network.bridgeNetns})` : ''} with ${address}\n`,
      );
      await attachNodeNetns({ netns, network, vethName, address });
    }
    if (podCidr) config.podCidr = podCidr;
    await writeJsonAtomic(paths.configFile, config);
    wroteConfig = true;

    if (here) {
      await cluster.close();
      io.stderr.write(`node ${node} joining cluster ${ctx.cluster} through ${natsUrl} in this netns (foreground)\n`);
      return await runNodeSupervisor(ctx, node, io, { foreground: true });
    }

    io.stderr.write(` • starting node-agent and proxy of ${node} (supervised)\n`);
    const pid = await spawnDetached(
      {
        name: 'node-supervisor',
        command: process.execPath,
        args: [io.cliMain, 'node', 'supervise', '--cluster', ctx.cluster, '--name', node],
        env: { KEMU_HOME: ctx.home, KEMU_CLUSTER: ctx.cluster, KEMU_SERVICES_DIR: ctx.servicesDir },
        logFile: `${paths.logsDir}/supervisor.log`,
      },
      io.env,
    );
    await writeFileAtomic(paths.supervisorPidFile, `${pid}\n`);
    const ready = await waitForNodeReady(cluster.informer, node, {
      timeoutMs: READY_TIMEOUT_MS,
      check: async () => {
        if (!(await isAlive(pid))) throw new CliError('ComponentFailed', 'the node supervisor exited during start-up');
      },
    });
    io.stdout.write(
      `Node "${node}" joined cluster "${ctx.cluster}": InternalIP ${config.address}, podCIDR ${ready.spec.podCIDR}, netns ${config.netns}\n` +
        `Stop it: ./kemu node down --cluster ${ctx.cluster} --name ${node}\n`,
    );
    return 0;
  } catch (err) {
    io.stderr.write(await tailLogs(paths.logsDir, 15));
    // Only what this run made is removed: a refused join leaves an earlier node alone.
    if (attached || wroteConfig) {
      io.stderr.write(`removing node ${node} after the failure\n`);
      await removeNode(io, node, cluster).catch(() => undefined);
    }
    throw err;
  } finally {
    await cluster.close();
  }
}

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
async function removeNode(
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
  const natsUrl = config?.natsUrl ?? stringFlag(io.args, 'nats') ?? io.env.KEMU_NATS_URL;
  if (natsUrl) {
    const log = createLogger({ component: 'kemu-cli', level: 'warn' });
    try {
      const cluster = open ?? (await openClusterLog(natsUrl, `kemu-node-down-${node}`, log));
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
  await rm(paths.stateDir, { recursive: true, force: true });
  return { found };
}

async function nodeDown(io: CommandIO): Promise<number> {
  requireRoot('down');
  const node = validateNodeName(stringFlag(io.args, 'name'));
  io.stderr.write(`Removing node "${node}" of cluster "${io.ctx.cluster}" ...\n`);
  const { found } = await removeNode(io, node);
  io.stdout.write(found ? `Removed node "${node}"\n` : `node ${node} is not running here (nothing to remove)\n`);
  return 0;
}

async function runNode(io: CommandIO): Promise<number> {
  const [sub, ...extra] = io.args.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (sub === 'up') return nodeUp(io);
  if (sub === 'down') return nodeDown(io);
  if (sub === 'supervise')
    return runNodeSupervisor(io.ctx, validateNodeName(stringFlag(io.args, 'name')), io, { foreground: false });
  throw new UsageError(`kemu node needs a subcommand: up or down\nUsage:\n  ${nodeCommand.usage}`);
}

/** `kemu node`. */
export const nodeCommand: Command = {
  name: 'node',
  usage:
    'kemu node up --nats nats://HOST:PORT --name NODE [--cluster C] [--pod-cidr CIDR] [--address IP] [--here] | kemu node down --name NODE [--cluster C]',
  summary: 'join one node on this machine to a cluster through its NATS, or remove it (root)',
  flags: [
    valueFlagSpec('nats'),
    valueFlagSpec('cluster'),
    valueFlagSpec('pod-cidr'),
    valueFlagSpec('address'),
    boolFlagSpec('here'),
  ],
  clusterFlag: 'cluster',
  run: runNode,
};
