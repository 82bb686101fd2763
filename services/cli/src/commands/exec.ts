/**
 * `kemu exec [-n NS] [-c CONTAINER] POD -- CMD...`: looks the pod up through the apiserver
 * and runs CMD inside the container (`runc exec`: its root filesystem, namespaces and
 * environment; a process that is no container: its network namespace with its env),
 * stdio inherited and the exit code passed through — what `kubectl exec` is for a real pod.
 * `kemu exec --node NODE -- CMD...` runs CMD in the node's network namespace instead (what
 * `ssh node` is on a real cluster), e.g. `nft list table ip kube-proxy` in nftables mode.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { containerExecArgv, findContainerByPid, nodeRuntimeDir } from '@kemu/containers';
import { clusterNetnsPrefix, netnsExists, podNetnsName } from '@kemu/netns';
import { clusterApiClient } from '../client/cluster-api.js';
import { boolFlagSpec, stringFlag, valueFlagSpec } from '../args.js';
import { readClusterState } from '../cluster/cluster-state.js';
import type { Command, CommandIO } from '../command.js';
import { ApiRequestError, CliError, ClusterNotUpError, UsageError } from '../errors.js';
import { declaredEnv, type PodForExec, runningContainerEnv } from '../pod-env.js';

function spawnInherit(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: 'inherit', env });
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new CliError('ExecFailed', `cannot run ip netns exec: ${err.message}`)));
    child.once('exit', (code, sig) => resolve(code ?? 128 + (sig ? (constants.signals[sig] ?? 1) : 1)));
  });
}

/** `kemu exec --node NODE -- CMD`: CMD in the node's netns, with the caller's environment. */
async function runExecOnNode(io: CommandIO, node: string): Promise<number> {
  const { ctx, args } = io;
  const command = [...args.positionals, ...args.rest];
  if (command.length === 0) throw new UsageError('a command is required: kemu exec --node NODE -- COMMAND [args...]');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(node)) throw new UsageError(`invalid node name "${node}"`);
  const netns = `${clusterNetnsPrefix(ctx.cluster)}${node}`;
  if (!(await netnsExists(netns))) {
    throw new CliError('NotFound', `node ${node} of cluster ${ctx.cluster} has no network namespace here (${netns})`);
  }
  return spawnInherit(['ip', 'netns', 'exec', netns, ...command], io.env);
}

async function runExec(io: CommandIO): Promise<number> {
  const { ctx, args } = io;
  const node = stringFlag(args, 'node');
  if (node !== undefined) return runExecOnNode(io, node);
  const [podName, ...extra] = args.positionals;
  if (!podName) throw new UsageError('pod name is required: kemu exec [-n NAMESPACE] POD -- COMMAND [args...]');
  const command = [...extra, ...args.rest];
  if (command.length === 0) throw new UsageError('a command is required: kemu exec POD -- COMMAND [args...]');
  const namespace = stringFlag(args, 'namespace') ?? 'default';

  const state = await readClusterState(ctx);
  if (!state.up || !state.config) throw new ClusterNotUpError(ctx.cluster);
  const api = await clusterApiClient(ctx.paths.stateDir, state.config);
  let pod: PodForExec;
  try {
    pod = await api.getJson<PodForExec>(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}`,
    );
  } catch (err) {
    if (err instanceof ApiRequestError && err.status === 404) {
      throw new CliError('NotFound', `Error from server (NotFound): pods "${podName}" not found`);
    }
    throw err;
  }
  const containers = pod.spec?.containers?.map((c) => c.name) ?? [];
  const container = stringFlag(args, 'container') ?? containers[0] ?? '';
  if (!containers.includes(container)) {
    throw new CliError('NotFound', `container ${container} is not valid for pod ${podName}`);
  }
  const netns = podNetnsName(ctx.cluster, pod.metadata.uid);
  if (!pod.status?.podIP || !(await netnsExists(netns))) {
    throw new CliError(
      'PodNotRunning',
      `cannot exec into pod ${podName}: it has no network yet (phase ${pod.status?.phase ?? 'Unknown'})`,
    );
  }
  const pid = Number(
    pod.status?.containerStatuses?.find((c) => c.name === container)?.containerID?.replace('kemu://', '') ?? '',
  );
  // A container of this machine's node runtime: `runc exec` into it (its root filesystem, namespaces and env).
  const runtimeDir = pod.spec?.nodeName ? nodeRuntimeDir(ctx.paths.stateDir, pod.spec.nodeName) : undefined;
  const id = runtimeDir && pid > 0 ? await findContainerByPid(runtimeDir, pid) : undefined;
  const tty = ['tty', 'stdin-tty', 'tty-stdin'].some((f) => args.flags.get(f) === true);
  if (runtimeDir && id) {
    return spawnInherit(
      [...containerExecArgv(runtimeDir, id, { args: command, tty: tty && process.stdin.isTTY === true })],
      io.env,
    );
  }
  const containerEnv = (await runningContainerEnv(netns, container)) ?? declaredEnv(pod, container);
  const env = { PATH: io.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...containerEnv };
  // The container's own UTS namespace too, so `hostname` prints the pod's name.
  const uts = pid > 0 && existsSync(`/proc/${pid}`) ? ['nsenter', '--uts', `--target=${pid}`, '--'] : [];
  return spawnInherit([...uts, 'ip', 'netns', 'exec', netns, ...command], env);
}

/** `kemu exec`. */
export const execCommand: Command = {
  name: 'exec',
  usage:
    'kemu exec [-n NAMESPACE] [-c CONTAINER] POD -- COMMAND [args...] | kemu exec --node NODE -- COMMAND [args...]',
  summary: "run a command inside a pod's (or with --node, a node's) network namespace",
  flags: [
    valueFlagSpec('namespace', 'n'),
    valueFlagSpec('container', 'c'),
    valueFlagSpec('node'),
    boolFlagSpec('stdin', 'i'),
    boolFlagSpec('tty', 't'),
    boolFlagSpec('stdin-tty', 'it'),
    boolFlagSpec('tty-stdin', 'ti'),
  ],
  run: runExec,
};
