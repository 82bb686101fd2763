/**
 * `kemu compose up|down`: the cluster as docker-compose containers (infra/compose.yaml).
 * `up` builds the image (on the normal Node base when it is on this machine, else on the
 * offline base made from host files, or as --base says), makes the cluster's credentials
 * in the state dir (compose-credentials.ts: CA, certificates, admin token, NATS nkeys),
 * starts NATS, the control plane and N node containers, gives each node container its
 * own node's NATS credential, waits until the apiserver answers and every node
 * container's Node is Ready, and writes the kubeconfig where `kemu kubeconfig` finds it.
 * A failed `up` prints the containers' last log lines and removes the project (unless
 * --retain). `down` removes containers, networks, volumes, the image tag and the state files.
 */
import { mkdir, rm } from 'node:fs/promises';
import { boolFlag, boolFlagSpec, intFlag, stringFlag, valueFlagSpec } from '../args.js';
import { PROXY_MODES, type ProxyMode } from '../cluster/components.js';
import { readClusterState } from '../cluster/cluster-state.js';
import type { Command, CommandIO } from '../command.js';
import {
  buildKemuImage,
  checkDocker,
  chooseBaseImage,
  containerIp,
  detectCompose,
  mustRun,
  runCommand,
} from '../compose/compose-docker.js';
import {
  NODE_CREDENTIAL_PATH,
  createComposeCredentials,
  removeComposeCredentials,
} from '../compose/compose-credentials.js';
import { issueComposeNodeCredentials } from '../compose/compose-node-credentials.js';
import {
  IMAGE_REPOSITORY,
  composePlan,
  composeServer,
  nodeNameForAddress,
  type ComposeState,
} from '../compose/compose-plan.js';
import { type ComposeProject, composeProject } from '../compose/compose-project.js';
import { composeStateFile, readComposeState } from '../compose/compose-state.js';
import { configFromEnv } from '../config.js';
import { CliError, UsageError } from '../errors.js';
import { writeKubeconfig } from '../cluster/kubeconfig-file.js';
import { createProgress } from '../format/progress.js';
import { writeJsonAtomic } from '../state-store.js';
import { waitForCluster } from '../cluster/wait-for-cluster.js';

const READY_TIMEOUT_MS = 120_000;

async function bringUp(
  io: CommandIO,
  state: ComposeState,
  project: ComposeProject,
  credentials: { caPem: string; token: string },
): Promise<void> {
  const progress = createProgress(5, io.stderr);
  progress.step(
    `starting containers (3 NATS servers, control plane, ${state.nodes} nodes; network ${state.subnet}.0/24; ${state.proxyMode} proxy)`,
  );
  await project.run(['up', '-d', '--no-build', '--scale', `node=${state.nodes}`]);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  progress.step("giving each node container its own node's NATS credential");
  const nodeIds = await project.containerIds('node');
  const named = await Promise.all(nodeIds.map(async (id) => ({ id, node: nodeNameForAddress(await containerIp(id)) })));
  const nodes = named.map((n) => n.node);
  const bundles = await issueComposeNodeCredentials(io.ctx.paths.stateDir, state, project, nodes);
  for (const { id, node } of named) {
    await mustRun('docker', ['cp', bundles.get(node) as string, `${id}:${NODE_CREDENTIAL_PATH}`]);
  }
  const server = composeServer(state);
  const { caPem: ca, token } = credentials;
  await waitForCluster({ server, token, ca, nodes, timeoutMs: Math.max(1_000, deadline - Date.now()), progress });
  progress.step('writing kubeconfig');
  await writeKubeconfig(io.ctx.paths.kubeconfig, { cluster: state.cluster, server, token, caPem: ca });
}

async function composeUp(io: CommandIO): Promise<number> {
  const { ctx, args, env } = io;
  const nodes = intFlag(args, 'nodes', 3, 1, 100);
  const apiserverPort = intFlag(args, 'apiserver-port', 6443, 1, 65535);
  const retain = boolFlag(args, 'retain');
  const proxyMode = (stringFlag(args, 'proxy-mode') ?? 'userspace') as ProxyMode;
  if (!PROXY_MODES.includes(proxyMode))
    throw new UsageError(`invalid --proxy-mode "${proxyMode}": use one of ${PROXY_MODES.join(', ')}`);
  const started = Date.now();

  // The state dir holds the cluster's PKI and credentials, which compose up makes anew.
  if ((await readClusterState(ctx)).up)
    throw new CliError('ClusterExists', `cluster ${ctx.cluster} is up locally (kemu up): pick another --name`);
  await checkDocker();
  const composeCommand = await detectCompose();
  const earlier = await readComposeState(ctx);
  if (earlier) {
    const project = composeProject(composeCommand, earlier, env);
    if (await isRunning(project)) {
      io.stderr.write(`cluster ${ctx.cluster} is already up in compose (remove it with: ./kemu compose down)\n`);
      return 0;
    }
    io.stderr.write(`removing leftovers of an earlier compose run of cluster ${ctx.cluster}\n`);
    await removeProject(io, project, earlier);
  }
  io.stderr.write(`Creating compose cluster "${ctx.cluster}" (${composeCommand.join(' ')}) ...\n`);
  const base = await chooseBaseImage(ctx.repoRoot, stringFlag(args, 'base') ?? configFromEnv(env).baseImage);
  const plan = composePlan({
    cluster: ctx.cluster,
    subnetIndex: ctx.subnetIndex,
    repoRoot: ctx.repoRoot,
    stateDir: ctx.paths.stateDir,
    apiserverPort,
    nodes,
    baseImage: base,
    proxyMode,
  });
  const state = { ...plan, secretsDir: plan.secretsDir as string, image: plan.image as string };
  io.stderr.write(`      building ${state.image} on ${base}\n`);
  await buildKemuImage(ctx.repoRoot, state.image, `${IMAGE_REPOSITORY}:dev`, base);

  const project = composeProject(composeCommand, state, env);
  await mkdir(ctx.paths.stateDir, { recursive: true, mode: 0o700 });
  await writeJsonAtomic(composeStateFile(ctx), state, 0o600);
  try {
    const credentials = await createComposeCredentials(ctx.paths.stateDir, state);
    await bringUp(io, state, project, credentials);
  } catch (err) {
    const logs = await project.tryRun(['logs', '--no-color', '--tail', '15']);
    io.stderr.write(logs.stdout);
    if (retain) {
      io.stderr.write(
        `compose cluster ${ctx.cluster} left in place (--retain): ./kemu compose down --name ${ctx.cluster}\n`,
      );
    } else {
      io.stderr.write(`removing compose cluster ${ctx.cluster} after the failure (keep it with --retain)\n`);
      await removeProject(io, project, state);
    }
    throw err;
  }

  const nameFlag = ctx.cluster === 'local' ? '' : ` --name ${ctx.cluster}`;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  io.stdout.write(
    [
      `Compose cluster "${ctx.cluster}" is up: ${nodes} node containers Ready in ${seconds}s, apiserver ${composeServer(state)}`,
      '',
      `  export KUBECONFIG=$(./kemu kubeconfig${nameFlag})`,
      '  kubectl get nodes -o wide',
      '',
      `Stop it: ./kemu compose down${nameFlag}`,
      '',
    ].join('\n'),
  );
  return 0;
}

/** Tells whether the project's control-plane container runs. */
async function isRunning(project: ComposeProject): Promise<boolean> {
  const [cp] = await project.containerIds('control-plane').catch(() => []);
  if (!cp) return false;
  const r = await runCommand('docker', ['inspect', '--format', '{{.State.Running}}', cp]);
  return r.code === 0 && r.stdout.trim() === 'true';
}

async function removeProject(io: CommandIO, project: ComposeProject, state: ComposeState): Promise<void> {
  await project.run(['down', '-v', '--remove-orphans', '--timeout', '2']);
  // Only the cluster's tag: the layers stay shared with other clusters' images.
  if (state.image) await runCommand('docker', ['image', 'rm', state.image]);
  await removeComposeCredentials(io.ctx.paths.stateDir, state.secretsDir);
  await rm(composeStateFile(io.ctx), { force: true });
  await rm(io.ctx.paths.kubeconfig, { force: true });
}

async function composeDown(io: CommandIO): Promise<number> {
  const { ctx, env } = io;
  await checkDocker();
  const state = await readComposeState(ctx);
  if (!state) {
    io.stdout.write(`compose cluster ${ctx.cluster} is not running (nothing to delete)\n`);
    return 0;
  }
  io.stderr.write(`Deleting compose cluster "${ctx.cluster}" ...\n`);
  await removeProject(io, composeProject(await detectCompose(), state, env), state);
  io.stdout.write(`Deleted compose cluster "${ctx.cluster}"\n`);
  return 0;
}

async function runCompose(io: CommandIO): Promise<number> {
  const [action, ...extra] = io.args.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  if (action === 'up') return composeUp(io);
  if (action === 'down') return composeDown(io);
  throw new UsageError(`kemu compose needs "up" or "down"\nUsage:\n  ${composeCommand.usage}`);
}

/** `kemu compose up|down`. */
export const composeCommand: Command = {
  name: 'compose',
  usage:
    'kemu compose up [--nodes N] [--name C] [--apiserver-port P] [--proxy-mode userspace|nftables] [--base IMAGE] [--retain] | kemu compose down [--name C]',
  summary: 'run a cluster as docker-compose containers (NATS cluster, control plane, node containers)',
  flags: [
    valueFlagSpec('nodes'),
    valueFlagSpec('apiserver-port'),
    valueFlagSpec('proxy-mode'),
    valueFlagSpec('base'),
    boolFlagSpec('retain'),
  ],
  run: runCompose,
};
