/**
 * `kemu supervise` (internal, started detached by `up`): runs the supervisor for a
 * cluster, adopting the nats-server `up` started, and records pids in pids.json and
 * restarts in status.json. SIGTERM makes it exit at once, leaving the components to `down`.
 */
import { mkdir } from 'node:fs/promises';
import { createLogger } from '@kemu/log';
import type { Command, CommandIO } from '../command.js';
import { type ClusterConfig, componentSpecs, natsServerSpec, specContext } from '../cluster/components.js';
import { ClusterNotUpError } from '../errors.js';
import { readJsonFile, readPidFile, writeFileAtomic } from '../state-store.js';
import { createStatusRecorder } from '../cluster/status-recorder.js';
import { startSupervisor } from '../cluster/supervisor.js';

async function runSupervise(io: CommandIO): Promise<number> {
  const { ctx } = io;
  const { paths } = ctx;
  const config = await readJsonFile<ClusterConfig>(paths.clusterFile);
  if (!config) throw new ClusterNotUpError(ctx.cluster);
  const log = createLogger({ component: 'supervisor' });
  await mkdir(paths.logsDir, { recursive: true });
  await writeFileAtomic(paths.supervisorPidFile, `${process.pid}\n`);

  const specCtx = specContext(ctx);
  // With an existing NATS (`up --nats`) there is no nats-server of the cluster's own to keep running.
  const specs = [...(config.natsUrl ? [] : [natsServerSpec(config, specCtx)]), ...componentSpecs(config, specCtx)];
  const natsPid = await readPidFile(paths.natsPidFile);

  const recorder = createStatusRecorder(paths, log, async (status) => {
    if (status['nats-server']?.pid) await writeFileAtomic(paths.natsPidFile, `${status['nats-server'].pid}\n`);
  });

  const supervisor = startSupervisor({
    specs,
    adopted: natsPid && !config.natsUrl ? { 'nats-server': natsPid } : {},
    baseEnv: { ...io.env, KEMU_CLUSTER: ctx.cluster },
    log,
    onChange: recorder.record,
  });
  log.info({ cluster: ctx.cluster, components: specs.length }, 'supervisor started');

  await new Promise<void>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, () => resolve());
  });
  supervisor.detach();
  await recorder.flushed();
  log.info({}, 'supervisor stopped');
  return 0;
}

/** `kemu supervise` (internal). */
export const superviseCommand: Command = {
  name: 'supervise',
  usage: 'kemu supervise [--name C]',
  summary: 'internal: run the component supervisor (started by up)',
  flags: [],
  run: runSupervise,
};
