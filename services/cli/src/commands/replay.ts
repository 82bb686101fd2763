/**
 * `kemu replay --at <moment>`: the cluster as it was at a moment of its event log, served
 * by a read-only apiserver (HTTPS with the cluster's certificate and admin token) on a free
 * port of 127.0.0.1 with a kubeconfig of its own, until Ctrl-C or the cluster goes down
 * (`--detach` runs it in the background, logging to logs/replay.log). The projection is built
 * once and never follows the log; every write gets a 405 MethodNotAllowed Status.
 */
import { createApiServer, frozenInformer, parseCidr, refusingWriter } from '@kemu/apiserver';
import { projectionAt } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { boolFlag, boolFlagSpec, intFlag, stringFlag, valueFlagSpec } from '../args.js';
import type { ClusterContext } from '../cluster-context.js';
import { pkiPaths, readCaCert } from '../cluster/cluster-pki.js';
import { readClusterState } from '../cluster/cluster-state.js';
import type { Command, CommandIO } from '../command.js';
import { SERVICE_CIDR } from '../cluster/components.js';
import { CliError, UsageError, WaitTimeoutError } from '../errors.js';
import { connectClusterLog } from '../client/event-log-client.js';
import { writeKubeconfig } from '../cluster/kubeconfig-file.js';
import { type Moment, momentTarget, parseMoment } from '../moment.js';
import { spawnDetached } from '../cluster/nats-server.js';
import { isAlive } from '../cluster/processes.js';

/** Where the replay of sequence `seq` writes its kubeconfig. */
export function replayKubeconfigPath(stateDir: string, seq: number): string {
  return join(stateDir, `replay-${seq}.kubeconfig`);
}

/** Resolves on SIGINT or SIGTERM, or once the cluster is down (its supervisor gone), with what happened. */
function untilStopped(ctx: ClusterContext): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      clearInterval(watch);
      resolve(why);
    };
    const onInt = done('SIGINT');
    const onTerm = done('SIGTERM');
    const onDown = done('cluster down');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    const watch = setInterval(() => {
      void readClusterState(ctx).then((s) => {
        if (!s.up) onDown();
      });
    }, 2_000);
  });
}

/** Starts this command again in the background with an absolute moment; returns when it serves. */
async function runDetached(io: CommandIO, moment: Moment, port: number): Promise<number> {
  const { ctx } = io;
  const at = 'seq' in moment ? `seq:${moment.seq}` : moment.time.toISOString();
  const logFile = join(ctx.paths.logsDir, 'replay.log');
  await mkdir(ctx.paths.logsDir, { recursive: true });
  const offset = existsSync(logFile) ? (await stat(logFile)).size : 0;
  const pid = await spawnDetached(
    {
      name: 'replay',
      command: process.execPath,
      args: [io.cliMain, 'replay', '--name', ctx.cluster, '--at', at, '--port', String(port)],
      // As the cluster's components carry them, so `kemu down` finds and stops it too.
      env: { KEMU_CLUSTER: ctx.cluster, KEMU_STATE_DIR: ctx.paths.stateDir },
      logFile,
    },
    io.env,
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = (await readFile(logFile)).subarray(offset).toString('utf8');
    if (/^export KUBECONFIG=/m.test(text)) {
      const lines = text.split('\n').filter((l) => l.startsWith('Replaying') || l.startsWith('export '));
      io.stdout.write(`${lines.join('\n')}\nStop it with: kill ${pid} (it also stops when the cluster goes down)\n`);
      return 0;
    }
    if (!(await isAlive(pid))) throw new CliError('ReplayFailed', `kemu replay exited: ${text.trim()}`);
    if (Date.now() > deadline) throw new WaitTimeoutError(`kemu replay (pid ${pid}) did not start serving in 60s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function runReplay(io: CommandIO): Promise<number> {
  const { ctx, args } = io;
  const at = stringFlag(args, 'at');
  if (at === undefined) throw new UsageError('--at is required: kemu replay --at <RFC3339 time | -2m | seq:N | #N>');
  const moment = parseMoment(at, 'at');
  const port = intFlag(args, 'port', 0, 0, 65535);
  if (boolFlag(args, 'detach')) return runDetached(io, moment, port);

  const { eventLog, config } = await connectClusterLog(ctx, 'replay');
  const snapshot = await projectionAt(eventLog, momentTarget(moment)).finally(() => eventLog.close());
  if (snapshot.seq === 0)
    throw new CliError('NothingToReplay', `the event log of cluster ${ctx.cluster} holds no event at or before ${at}`);
  const when = snapshot.time?.toISOString() ?? '';

  const pki = pkiPaths(ctx.paths.stateDir);
  const log = createLogger({ component: 'replay-apiserver', level: ctx.logLevel ?? 'error' });
  const message = `this is kemu replay: a read-only view of cluster ${ctx.cluster} at sequence ${snapshot.seq} (${when}); write to the live cluster instead`;
  const server = createApiServer({
    informer: frozenInformer(snapshot.view),
    writer: refusingWriter(message),
    serviceCidr: parseCidr(SERVICE_CIDR),
    log,
    // Ages in tables are told as they were at the moment, not as they would be now.
    clock: () => snapshot.time?.getTime() ?? Date.now(),
    tls: { cert: await readFile(pki.apiserverCert), key: await readFile(pki.apiserverKey) },
    tokens: [config.token],
    readOnly: { message },
  });
  const [bound] = await server.listen([`127.0.0.1:${port}`]);
  const url = `https://127.0.0.1:${bound?.port}`;
  const kubeconfig = replayKubeconfigPath(ctx.paths.stateDir, snapshot.seq);
  await writeKubeconfig(kubeconfig, {
    cluster: `${ctx.cluster}-replay-${snapshot.seq}`,
    server: url,
    token: config.token,
    caPem: await readCaCert(ctx.paths.stateDir),
  });
  io.stdout.write(
    `Replaying cluster ${ctx.cluster} at sequence ${snapshot.seq} (${when}), read-only, on ${url}\n` +
      `export KUBECONFIG=${kubeconfig}\n` +
      'Press Ctrl-C to stop.\n',
  );
  const why = await untilStopped(ctx);
  io.stdout.write(`Stopping the replay (${why}).\n`);
  await server.close();
  await rm(kubeconfig, { force: true });
  return 0;
}

/** `kemu replay`. */
export const replayCommand: Command = {
  name: 'replay',
  usage: 'kemu replay --at <RFC3339 time | -2m | seq:N | #N> [--port P] [--detach]',
  summary: 'serve a read-only apiserver over the cluster as it was at a moment of its event log',
  flags: [valueFlagSpec('at'), valueFlagSpec('port'), boolFlagSpec('detach', 'd')],
  run: runReplay,
};
