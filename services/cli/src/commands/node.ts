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
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { listObjects, publicKeyOfSeed } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { attachNodeNetns, fencePods, findL2Network, nodeVethName, routeTo, subnetOf } from '@kemu/netns';
import { boolFlag, boolFlagSpec, stringFlag, valueFlagSpec } from '../args.js';
import type { Command, CommandIO } from '../command.js';
import { configFromEnv } from '../config.js';
import { CliError, PrerequisiteError, UsageError } from '../errors.js';
import { tailLogs } from '../cluster/log-tail.js';
import { spawnDetached } from '../cluster/nats-server.js';
import { parseNatsServerVersion, unsupportedNatsServer } from '../cluster/nats-server-version.js';
import { CLUSTER_CIDR, PROXY_MODES, type ProxyMode, SERVICE_CIDR } from '../cluster/components.js';
import {
  type JoinedNodeConfig,
  type NodePaths,
  joinedNodeNetns,
  natsHost,
  nodePaths,
  validateNodeName,
} from '../nodes/node-config.js';
import { chooseNodeAddress, isNodeReadyWithCidr, openClusterLog, waitForNodeReady } from '../nodes/node-join.js';
import { runNodeSupervisor } from '../nodes/node-supervisor.js';
import { issueJoinCredential } from '../cluster/join-credential.js';
import { issueComposeJoinCredential } from '../compose/compose-node-credentials.js';
import { readComposeState } from '../compose/compose-state.js';
import { parseJoinBundle } from '../cluster/nats-auth.js';
import { removeNode } from '../nodes/node-teardown.js';
import { isAlive } from '../cluster/processes.js';
import { bundleFile, staleBundles } from '../cluster/service-entry.js';
import { readPidFile, writeFileAtomic, writeJsonAtomic } from '../state-store.js';

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

/**
 * Retries `f` for up to `ms` while `retryable` says the failure may pass. A NATS cluster
 * that just lost a server answers, but its JetStream requests time out until it has
 * elected new leaders (RELIABILITY.md R11: 4-9 s on nats-server 2.10).
 */
async function retryFor<T>(
  ms: number,
  f: () => Promise<T>,
  retryable: (err: unknown) => boolean,
  onRetry: (err: unknown) => void,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > deadline || !retryable(err)) throw err;
      onRetry(err);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** How long `kemu node up` retries opening the log of a cluster whose NATS answers. */
const OPEN_LOG_RETRY_MS = 30_000;

function requireRoot(what: string): void {
  if (process.getuid?.() !== 0)
    throw new PrerequisiteError(`kemu node ${what} needs root (network namespaces): run it with sudo`);
}

async function nodeUp(io: CommandIO): Promise<number> {
  requireRoot('up');
  const { ctx, args } = io;
  const stale = await staleBundles(['node-agent', 'proxy'].map((s) => bundleFile(ctx.servicesDir, s)));
  if (stale.length > 0) throw new PrerequisiteError(`${stale.join('; ')} (run: pnpm build)`);
  const node = validateNodeName(stringFlag(args, 'name'));
  const config = configFromEnv(io.env);
  const natsUrl = stringFlag(args, 'nats') ?? config.natsUrl?.join(',');
  if (!natsUrl) throw new UsageError("kemu node up needs --nats nats://HOST:PORT (the cluster's NATS)");
  const here = boolFlag(args, 'here');
  const podCidr = stringFlag(args, 'pod-cidr');
  const proxyMode = stringFlag(args, 'proxy-mode') as ProxyMode | undefined;
  if (proxyMode !== undefined && !PROXY_MODES.includes(proxyMode)) {
    throw new UsageError(`invalid --proxy-mode "${proxyMode}": use one of ${PROXY_MODES.join(', ')}`);
  }
  const paths = nodePaths(ctx, node);
  const credential = await takeJoinCredential(io, paths);
  const credentialConfig = {
    ...(credential.nkeyFile ? { natsNkeyFile: credential.nkeyFile } : {}),
    ...(credential.caFile ? { natsTlsCa: credential.caFile } : {}),
  };
  const running = await readPidFile(paths.supervisorPidFile);
  if (running && (await isAlive(running)) && !here) {
    io.stderr.write(`node ${node} of cluster ${ctx.cluster} is already up (supervisor pid ${running})\n`);
    return 0;
  }
  // `ip route get` takes addresses: a NATS host name (compose: nats-1) is resolved first.
  const host = await resolveIpv4(natsHost(natsUrl));
  const log = createLogger({ component: 'kemu-cli', level: 'warn' });
  // A container entrypoint (--here) may start before NATS does: it waits up to a minute.
  // Otherwise an unreachable NATS fails at once, and JetStream timeouts are retried.
  const cluster = await retryFor(
    here ? 60_000 : OPEN_LOG_RETRY_MS,
    () =>
      openClusterLog(
        natsUrl,
        `kemu-node-up-${node}`,
        log,
        config.streamReplicas,
        credential.nkeyFile,
        credential.caFile,
      ),
    (err) => here || (err instanceof CliError && err.code === 'JetStreamUnavailable'),
    (err) => io.stderr.write(` • ${(err as Error).message}; retrying\n`),
  );
  // Nodes join only a supported server (compose's NATS containers carry the same line).
  const problem = unsupportedNatsServer(
    parseNatsServerVersion(cluster.eventLog.nc.info?.version ?? ''),
    `the cluster's nats-server (${natsUrl})`,
  );
  if (problem) {
    await cluster.close();
    throw new PrerequisiteError(problem);
  }
  let attached: JoinedNodeConfig | undefined;
  let wroteConfig = false;
  try {
    // A Ready Node of this name elsewhere is someone else's; at our own address it is this
    // node coming back (a restarted node container), which may take its Node over again.
    const refuseIfTaken = (address: string) => {
      const existing = cluster.informer.lister('nodes').get('', node);
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
        ...credentialConfig,
        createdAt: new Date().toISOString(),
      };
    } else {
      const network = await findL2Network(host);
      const nodes = listObjects(cluster.informer.view, 'nodes');
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
        ...credentialConfig,
        createdAt: new Date().toISOString(),
      };
      refuseIfTaken(address);
      attached = config;
      io.stderr.write(
        ` • attaching netns ${netns} to bridge ${network.bridge}${network.bridgeNetns ? ` (netns ${network.bridgeNetns})` : ''} with ${address}\n`,
      );
      await attachNodeNetns({ netns, network, vethName, address, clusterCidrs: [CLUSTER_CIDR, SERVICE_CIDR] });
      await fencePods(netns, { podBridge: 'cbr0', underlayCidr: subnetOf(address), serviceCidr: SERVICE_CIDR });
    }
    if (podCidr) config.podCidr = podCidr;
    if (proxyMode) config.proxyMode = proxyMode;
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

/** A joined node's NATS credential and the CA it verifies the server with (either may be absent). */
interface JoinCredential {
  nkeyFile?: string;
  caFile?: string;
}

/**
 * The join credential of `--creds FILE` (the file `kemu node token` wrote: the seed and the
 * cluster CA) or `--token SEED` (a seed alone: NATS without TLS), copied 0600 into the
 * node's state; empty when neither is given (a NATS without authorization).
 */
async function takeJoinCredential(io: CommandIO, paths: NodePaths): Promise<JoinCredential> {
  const file = stringFlag(io.args, 'creds');
  const token = stringFlag(io.args, 'token');
  if (file && token) throw new UsageError('kemu node up takes --creds FILE or --token SEED, not both');
  if (!file && !token) return {};
  const text =
    token ??
    (await readFile(file as string, 'utf8').catch((err: Error) => {
      throw new UsageError(`cannot read the join credential ${file}: ${err.message}`);
    }));
  const { seed, caPem } = parseJoinBundle(text);
  try {
    publicKeyOfSeed(seed ?? '');
  } catch {
    throw new UsageError('the join credential holds no NATS user seed (kemu node token writes one)');
  }
  await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
  await writeFile(paths.natsCredential, `${seed}\n`, { mode: 0o600 });
  await chmod(paths.natsCredential, 0o600);
  if (!caPem) return { nkeyFile: paths.natsCredential };
  await writeFile(paths.natsCa, caPem, { mode: 0o644 });
  return { nkeyFile: paths.natsCredential, caFile: paths.natsCa };
}

/**
 * `kemu node token --name NODE`, on the machine of a `kemu up` or `kemu compose up` cluster: makes (or keeps)
 * the join credential of NODE, lets the running nats-server know it (reload), and prints
 * the credential file's path. A node joined with it acts as that node only.
 */
async function nodeToken(io: CommandIO): Promise<number> {
  const node = validateNodeName(stringFlag(io.args, 'name'));
  // A compose cluster's NATS servers run in containers (compose-node-credentials.ts).
  const compose = await readComposeState(io.ctx);
  const file = compose
    ? await issueComposeJoinCredential(io.ctx, io.env, compose, node)
    : await issueJoinCredential(io.ctx, node);
  io.stderr.write(
    `join credential of node ${node} (keep it secret; it acts as ${node} only):\n` +
      `  kemu node up --cluster ${io.ctx.cluster} --name ${node} --nats <URL> --creds ${file}\n`,
  );
  io.stdout.write(`${file}\n`);
  return 0;
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
  if (sub === 'token') return nodeToken(io);
  if (sub === 'supervise')
    return runNodeSupervisor(io.ctx, validateNodeName(stringFlag(io.args, 'name')), io, { foreground: false });
  throw new UsageError(`kemu node needs a subcommand: up, down or token\nUsage:\n  ${nodeCommand.usage}`);
}

/** `kemu node`. */
export const nodeCommand: Command = {
  name: 'node',
  usage:
    'kemu node up --nats nats://HOST:PORT --name NODE [--creds FILE | --token SEED] [--cluster C] [--pod-cidr CIDR] [--address IP] [--proxy-mode userspace|nftables] [--here] | kemu node down --name NODE [--cluster C] | kemu node token --name NODE [--cluster C]',
  summary: 'join one node on this machine to a cluster through its NATS, or remove it (root)',
  flags: [
    valueFlagSpec('nats'),
    valueFlagSpec('creds'),
    valueFlagSpec('token'),
    valueFlagSpec('cluster'),
    valueFlagSpec('pod-cidr'),
    valueFlagSpec('address'),
    valueFlagSpec('proxy-mode'),
    boolFlagSpec('here'),
  ],
  clusterFlag: 'cluster',
  run: runNode,
};
