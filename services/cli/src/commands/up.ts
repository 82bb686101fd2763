/**
 * `kemu up`: creates the cluster network and credentials (CA, apiserver certificate, admin
 * token), starts nats-server and the supervisor (which
 * runs every component), waits until the apiserver is ready and every node is Ready, and
 * writes the kubeconfig. A failed `up` shows the relevant logs and removes what it made
 * (unless --retain), so a second `up` starts clean.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createClusterNetwork, MAX_NODES } from '@kemu/netns';
import { intFlag, boolFlag, boolFlagSpec, stringFlag, valueFlagSpec } from '../args.js';
import { readClusterState } from '../cluster/cluster-state.js';
import { dashboardEnv, startDetachedDashboard } from '../cluster/dashboard-process.js';
import type { Command, CommandIO } from '../command.js';
import {
  type ClusterConfig,
  hollowNodes,
  KUBERNETES_SERVICE_IP,
  NATS_PORT,
  natsServerSettings,
  natsServerSpec,
  natsUrl,
  PROXY_MODES,
  type ProxyMode,
  SERVICE_CIDR,
  specContext,
} from '../cluster/components.js';
import { apiserverUrl } from '../client/cluster-api.js';
import { createClusterPki } from '../cluster/cluster-pki.js';
import { addHollowRoutes } from '../cluster/hollow-routes.js';
import { clusterRoles, writeNatsAuth } from '../cluster/nats-auth.js';
import { CliError, UsageError } from '../errors.js';
import { writeKubeconfig } from '../cluster/kubeconfig-file.js';
import { natsHost } from '../nodes/node-config.js';
import { tailLogs } from '../cluster/log-tail.js';
import { spawnDetached } from '../cluster/nats-server.js';
import { checkAddressesFree, checkHostPrerequisites } from '../cluster/preflight.js';
import { supervisorEntry } from '../cluster/service-entry.js';
import { createProgress } from '../format/progress.js';
import { isAlive } from '../cluster/processes.js';
import { writeJsonAtomic, writeFileAtomic } from '../state-store.js';
import { teardownCluster } from '../cluster/teardown.js';
import { waitForCluster } from '../cluster/wait-for-cluster.js';
import { waitForPort } from '../cluster/wait-for-port.js';

const READY_TIMEOUT_MS = 60_000;

/** Fails with a clear error unless some server of `url` accepts a TCP connection. */
async function checkNatsReachable(url: string): Promise<void> {
  const errors: string[] = [];
  for (const u of url.split(',')) {
    const parsed = new URL(u.trim());
    try {
      await waitForPort(parsed.hostname, Number(parsed.port || 4222), { timeoutMs: 5_000, what: 'NATS' });
      return;
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  throw new CliError('NatsUnreachable', `cannot reach NATS at ${url}: ${errors.join('; ')}`);
}

async function bringUp(io: CommandIO, config: ClusterConfig): Promise<void> {
  const { ctx, env } = io;
  const { paths } = ctx;
  const progress = createProgress(7, io.stderr);

  progress.step(`creating network (underlay 10.250.${config.subnetIndex}.0/24, ${config.nodes} nodes)`);
  const layout = await createClusterNetwork({
    cluster: ctx.cluster,
    nodes: config.nodes,
    subnetIndex: config.subnetIndex,
    serviceCidr: SERVICE_CIDR,
  });
  const hollow = hollowNodes(config);
  await addHollowRoutes(layout.nodes, hollow);

  progress.step('creating certificates (cluster CA, apiserver serving certificate) and the admin token');
  const pki = await createClusterPki({
    stateDir: paths.stateDir,
    cluster: ctx.cluster,
    hostIp: layout.hostIp,
    serviceIp: KUBERNETES_SERVICE_IP,
    token: config.token,
  });
  const ca = await readFile(pki.caCert, 'utf8');

  if (config.natsUrl) {
    progress.step(`using the existing NATS at ${config.natsUrl}`);
    await checkNatsReachable(config.natsUrl);
  } else {
    progress.step(`starting nats-server on ${layout.hostIp}:${NATS_PORT} (a credential per component)`);
    const roles = clusterRoles(
      layout.nodes.map((n) => n.name),
      hollow.map((h) => h.name),
    );
    await writeNatsAuth(paths.stateDir, roles, {
      settings: natsServerSettings(config, paths.natsStoreDir, paths.stateDir),
    });
    const natsPid = await spawnDetached(natsServerSpec(config, specContext(ctx)), env);
    await writeFileAtomic(paths.natsPidFile, `${natsPid}\n`);
    await waitForPort(layout.hostIp, NATS_PORT, {
      timeoutMs: 15_000,
      what: 'nats-server',
      check: async () => {
        if (!(await isAlive(natsPid))) throw new CliError('ComponentFailed', 'nats-server exited during start-up');
      },
    });
  }

  progress.step('starting supervisor (apiserver, controller, node-agent and proxy per node, dns)');
  const supervisorPid = await spawnDetached(
    {
      name: 'supervisor',
      command: process.execPath,
      args: [supervisorEntry(io.cliMain), 'supervise', '--name', ctx.cluster],
      env: {
        KEMU_HOME: ctx.home,
        KEMU_CLUSTER: ctx.cluster,
        KEMU_STATE_DIR: paths.stateDir,
        KEMU_SERVICES_DIR: ctx.servicesDir,
      },
      logFile: `${paths.logsDir}/supervisor.log`,
    },
    env,
  );
  await writeFileAtomic(paths.supervisorPidFile, `${supervisorPid}\n`);

  const server = apiserverUrl(config.apiserverPort);
  await waitForCluster({
    server,
    token: config.token,
    ca,
    nodes: [...layout.nodes.map((n) => n.name), ...hollow.map((h) => h.name)],
    timeoutMs: READY_TIMEOUT_MS,
    progress,
    check: async () => {
      if (!(await isAlive(supervisorPid)))
        throw new CliError('ComponentFailed', 'the supervisor exited during start-up');
    },
  });

  progress.step('writing kubeconfig');
  await writeKubeconfig(paths.kubeconfig, { cluster: ctx.cluster, server, token: config.token, caPem: ca });
}

async function runUp(io: CommandIO): Promise<number> {
  const { ctx, args } = io;
  const existingNats = stringFlag(args, 'nats');
  if (existingNats) natsHost(existingNats);
  // Nodes may all join later (`kemu node up`) when the NATS is an existing one.
  const nodes = intFlag(args, 'nodes', 3, existingNats ? 0 : 1, MAX_NODES);
  const apiserverPort = intFlag(args, 'apiserver-port', 6443, 1, 65535);
  const retain = boolFlag(args, 'retain');
  const proxyMode = (stringFlag(args, 'proxy-mode') ?? 'userspace') as ProxyMode;
  if (!PROXY_MODES.includes(proxyMode)) {
    throw new UsageError(`invalid --proxy-mode "${proxyMode}": use one of ${PROXY_MODES.join(', ')}`);
  }
  const withDashboard = boolFlag(args, 'dashboard');
  // Hollow nodes take /24 blocks from the top of the pod CIDR, real ones count up from .1.
  const hollowCount = intFlag(args, 'hollow-nodes', 0, 0, 255 - nodes);
  const stagesFlag = stringFlag(args, 'hollow-stages');
  const hollowStages = stagesFlag ? resolve(stagesFlag) : undefined;
  if (hollowStages) {
    if (hollowCount === 0) throw new UsageError('--hollow-stages needs --hollow-nodes');
    await access(hollowStages).catch(() => {
      throw new UsageError(`--hollow-stages: cannot read ${hollowStages}`);
    });
  }

  const state = await readClusterState(ctx);
  if (state.up) {
    io.stderr.write(`cluster ${ctx.cluster} is already up\n`);
    return 0;
  }
  await checkHostPrerequisites(ctx, { ownNats: !existingNats, proxyMode, cliBundle: supervisorEntry(io.cliMain) });
  const cleaned = await teardownCluster(ctx, () => undefined);
  if (cleaned.found) io.stderr.write(`removed leftovers of an earlier run of cluster ${ctx.cluster}\n`);
  const subnetIndex = await checkAddressesFree(ctx, apiserverPort);

  io.stderr.write(`Creating cluster "${ctx.cluster}" ...\n`);
  await mkdir(ctx.paths.logsDir, { recursive: true });
  const config: ClusterConfig = {
    cluster: ctx.cluster,
    nodes,
    subnetIndex,
    apiserverPort,
    token: randomBytes(24).toString('hex'),
    createdAt: new Date().toISOString(),
    ...(existingNats ? { natsUrl: existingNats } : {}),
    proxyMode,
    ...(hollowCount > 0 ? { hollowNodes: hollowCount } : {}),
    ...(hollowStages ? { hollowStages } : {}),
  };
  await writeJsonAtomic(ctx.paths.clusterFile, config, 0o600);
  try {
    await bringUp(io, config);
  } catch (err) {
    io.stderr.write(await tailLogs(ctx.paths.logsDir, 15));
    if (retain) {
      io.stderr.write(
        `cluster ${ctx.cluster} left in place (--retain); remove it with: ./kemu down --name ${ctx.cluster}\n`,
      );
    } else {
      io.stderr.write(`cleaning up cluster ${ctx.cluster} after the failure (keep it with --retain)\n`);
      await teardownCluster(ctx, () => undefined);
    }
    throw err;
  }

  const nameFlag = ctx.cluster === 'local' ? '' : ` --name ${ctx.cluster}`;
  io.stdout.write(
    [
      `Cluster "${ctx.cluster}" is up: ${nodes} nodes${hollowCount > 0 ? ` and ${hollowCount} hollow nodes` : ''}, apiserver ${apiserverUrl(apiserverPort)}, NATS ${natsUrl(config)}, proxy mode ${proxyMode}`,
      `Join a node from another machine: ./kemu node up --cluster ${ctx.cluster} --nats ${natsUrl(config)} --name node-${nodes + 1}`,
      '',
      'Use it with kubectl:',
      `  export KUBECONFIG=$(./kemu kubeconfig${nameFlag})`,
      '  kubectl get svc,endpoints,pods -o wide',
      '',
      `Run a command inside a pod: ./kemu exec${nameFlag} <pod> -- curl -s http://<ClusterIP>/`,
      ...(proxyMode === 'nftables'
        ? [`Read a node's Service rules: ./kemu exec${nameFlag} --node node-1 -- nft list table ip kube-proxy`]
        : []),
      `Stop it: ./kemu down${nameFlag}`,
      '',
    ].join('\n'),
  );
  if (withDashboard) {
    const { url } = await startDetachedDashboard(ctx, io.cliMain, dashboardEnv(ctx, config, 0), io.env);
    io.stdout.write(`Dashboard (read-only, live): ${url}\n`);
  }
  return 0;
}

/** `kemu up`. */
export const upCommand: Command = {
  name: 'up',
  usage:
    'kemu up [--nodes N] [--hollow-nodes H [--hollow-stages FILE]] [--name C] [--apiserver-port P] [--nats URL] [--proxy-mode userspace|nftables] [--retain] [--dashboard]',
  summary: 'create and start a local cluster (root)',
  flags: [
    valueFlagSpec('nodes'),
    valueFlagSpec('hollow-nodes'),
    valueFlagSpec('hollow-stages'),
    valueFlagSpec('apiserver-port'),
    valueFlagSpec('nats'),
    valueFlagSpec('proxy-mode'),
    boolFlagSpec('retain'),
    boolFlagSpec('dashboard'),
  ],
  run: runUp,
};
