/**
 * `kemu compose up|down`: the cluster as docker-compose containers (infra/compose.yaml).
 * `up` builds the image (on the normal Node base when it is on this machine, else on the
 * offline base made from host files, or as --base says), starts NATS, the control plane
 * and N node containers, waits until the apiserver answers and every node container's
 * Node is Ready, reads the CA and admin token from the control-plane container and writes
 * the kubeconfig where `kemu kubeconfig` finds it. A failed `up` prints the containers'
 * last log lines and removes the project (unless --retain). `down` removes containers,
 * networks, volumes and the state files.
 */
import { mkdir, rm } from 'node:fs/promises';
import { boolFlag, boolFlagSpec, intFlag, stringFlag, valueFlagSpec } from '../args.js';
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
  KEMU_IMAGE,
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
import { setTimeout as sleep } from 'node:timers/promises';

const READY_TIMEOUT_MS = 120_000;
const PKI_DIR = '/var/lib/kemu/pki';

/** Reads the CA and admin token the control-plane container made, waiting until they exist. */
async function readCredentials(containerId: string, deadline: number): Promise<{ ca: string; token: string }> {
  for (;;) {
    try {
      const ca = await mustRun('docker', ['exec', containerId, 'cat', `${PKI_DIR}/ca.crt`]);
      const tokens = await mustRun('docker', ['exec', containerId, 'cat', `${PKI_DIR}/tokens.csv`]);
      const token = tokens.split(',')[0]?.trim();
      if (ca.includes('BEGIN CERTIFICATE') && token) return { ca, token };
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new CliError('Timeout', 'the control plane made no credentials in time');
    await sleep(200);
  }
}

async function bringUp(io: CommandIO, state: ComposeState, project: ComposeProject): Promise<void> {
  const progress = createProgress(5, io.stderr);
  progress.step(
    `starting containers (3 NATS servers, control plane, ${state.nodes} nodes; network ${state.subnet}.0/24)`,
  );
  await project.run(['up', '-d', '--no-build', '--scale', `node=${state.nodes}`]);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  progress.step('reading the cluster CA and admin token from the control plane');
  const [cp] = await project.containerIds('control-plane');
  if (!cp) throw new CliError('ComponentFailed', 'the control-plane container is not running');
  const { ca, token } = await readCredentials(cp, deadline);

  const nodeIds = await project.containerIds('node');
  const nodes = await Promise.all(nodeIds.map(async (id) => nodeNameForAddress(await containerIp(id))));
  const server = composeServer(state);
  await waitForCluster({ server, token, ca, nodes, timeoutMs: Math.max(1_000, deadline - Date.now()), progress });

  progress.step('writing kubeconfig');
  await writeKubeconfig(io.ctx.paths.kubeconfig, { cluster: state.cluster, server, token, caPem: ca });
}

async function composeUp(io: CommandIO): Promise<number> {
  const { ctx, args, env } = io;
  const nodes = intFlag(args, 'nodes', 3, 1, 100);
  const apiserverPort = intFlag(args, 'apiserver-port', 6443, 1, 65535);
  const retain = boolFlag(args, 'retain');
  const started = Date.now();

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
    await removeProject(io, project);
  }
  io.stderr.write(`Creating compose cluster "${ctx.cluster}" (${composeCommand.join(' ')}) ...\n`);
  const base = await chooseBaseImage(ctx.repoRoot, stringFlag(args, 'base') ?? configFromEnv(env).baseImage);
  io.stderr.write(`      building ${KEMU_IMAGE} on ${base}\n`);
  await buildKemuImage(ctx.repoRoot, KEMU_IMAGE, base);

  const state = composePlan({
    cluster: ctx.cluster,
    subnetIndex: ctx.subnetIndex,
    repoRoot: ctx.repoRoot,
    apiserverPort,
    nodes,
    baseImage: base,
  });
  const project = composeProject(composeCommand, state, env);
  await mkdir(ctx.paths.stateDir, { recursive: true });
  await writeJsonAtomic(composeStateFile(ctx), state, 0o600);
  try {
    await bringUp(io, state, project);
  } catch (err) {
    const logs = await project.tryRun(['logs', '--no-color', '--tail', '15']);
    io.stderr.write(logs.stdout);
    if (retain) {
      io.stderr.write(
        `compose cluster ${ctx.cluster} left in place (--retain): ./kemu compose down --name ${ctx.cluster}\n`,
      );
    } else {
      io.stderr.write(`removing compose cluster ${ctx.cluster} after the failure (keep it with --retain)\n`);
      await removeProject(io, project);
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

async function removeProject(io: CommandIO, project: ComposeProject): Promise<void> {
  await project.run(['down', '-v', '--remove-orphans', '--timeout', '2']);
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
  await removeProject(io, composeProject(await detectCompose(), state, env));
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
    'kemu compose up [--nodes N] [--name C] [--apiserver-port P] [--base IMAGE] [--retain] | kemu compose down [--name C]',
  summary: 'run a cluster as docker-compose containers (NATS cluster, control plane, node containers)',
  flags: [valueFlagSpec('nodes'), valueFlagSpec('apiserver-port'), valueFlagSpec('base'), boolFlagSpec('retain')],
  run: runCompose,
};
