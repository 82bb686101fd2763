/**
 * The supervisor of a joined node (`kemu node supervise`, or `kemu node up --here` in the
 * foreground): runs the node-agent and proxy of node.json with restart and backoff, and
 * records pids and restarts in the node's state dir. Detached, a signal leaves the
 * components to `kemu node down`; in the foreground (a container's entrypoint) a signal
 * stops them too, as the container is going away.
 */
import { mkdir } from 'node:fs/promises';
import { createLogger } from '@kemu/log';
import type { ClusterContext } from '../cluster-context.js';
import type { CommandIO } from '../command.js';
import { CliError } from '../errors.js';
import { type JoinedNodeConfig, joinedNodeSpecs, nodePaths } from './node-config.js';
import { stopProcesses } from '../cluster/processes.js';
import { readJsonFile, writeFileAtomic } from '../state-store.js';
import { createStatusRecorder } from '../cluster/status-recorder.js';
import { startSupervisor } from '../cluster/supervisor.js';

/** Runs until SIGTERM/SIGINT/SIGHUP; resolves with the exit code. */
export async function runNodeSupervisor(
  ctx: ClusterContext,
  node: string,
  io: Pick<CommandIO, 'env'>,
  o: { foreground: boolean },
): Promise<number> {
  const paths = nodePaths(ctx, node);
  const config = await readJsonFile<JoinedNodeConfig>(paths.configFile);
  if (!config)
    throw new CliError('NodeNotUp', `node ${node} of cluster ${ctx.cluster} has no node.json in ${paths.stateDir}`);
  const log = createLogger({ component: 'node-supervisor', node });
  await mkdir(paths.logsDir, { recursive: true });
  await writeFileAtomic(paths.supervisorPidFile, `${process.pid}\n`);
  const specs = joinedNodeSpecs(config, paths, { servicesDir: ctx.servicesDir, nodeBin: process.execPath });

  const recorder = createStatusRecorder(paths, log);
  const supervisor = startSupervisor({
    specs,
    baseEnv: { ...io.env, KEMU_CLUSTER: ctx.cluster },
    log,
    onChange: recorder.record,
  });
  log.info(
    { cluster: ctx.cluster, object: node, address: config.address, netns: config.netns },
    'node supervisor started',
  );

  await new Promise<void>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, () => resolve());
  });
  const pids = Object.values(supervisor.status())
    .map((s) => s.pid)
    .filter((p): p is number => p !== null);
  supervisor.detach();
  if (o.foreground) await stopProcesses(pids);
  await recorder.flushed();
  log.info({}, 'node supervisor stopped');
  return 0;
}
