/**
 * `kemu replay --at <moment>`: the cluster as it was at a moment of its event log, served
 * by the apiserver in its replay mode (a process of its own, cluster/replay-apiserver.ts: HTTPS
 * with the cluster's certificate and admin token) on a free port of 127.0.0.1 with a
 * kubeconfig of its own, until Ctrl-C or the cluster goes down (`--detach` runs it in the
 * background, logging to logs/replay.log). The projection is built once and never follows
 * the log; every write gets a 405 MethodNotAllowed Status.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { boolFlag, boolFlagSpec, intFlag, stringFlag, valueFlagSpec } from '../args.js';
import type { ClusterContext } from '../cluster-context.js';
import { readCaCert } from '../cluster/cluster-pki.js';
import { readClusterState } from '../cluster/cluster-state.js';
import type { Command, CommandIO } from '../command.js';
import { CliError, ClusterNotUpError, UsageError, WaitTimeoutError } from '../errors.js';
import { writeKubeconfig } from '../cluster/kubeconfig-file.js';
import { type Moment, parseMoment } from '../moment.js';
import { spawnDetached } from '../cluster/nats-server.js';
import { isAlive } from '../cluster/processes.js';
import { freeLocalPort, replayApiserverEnv, startReplayApiserver } from '../cluster/replay-apiserver.js';

/** Where the replay of sequence `seq` writes its kubeconfig. */
export function replayKubeconfigPath(stateDir: string, seq: number): string {
  return join(stateDir, `replay-${seq}.kubeconfig`);
}

/** Resolves on SIGINT or SIGTERM, once the cluster is down (its supervisor gone) or the apiserver exits, with what happened. */
function untilStopped(ctx: ClusterContext, apiserverExited: Promise<void>): Promise<string> {
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
    void apiserverExited.then(done('the apiserver exited'));
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

  const state = await readClusterState(ctx);
  if (!state.up || !state.config) throw new ClusterNotUpError(ctx.cluster);
  const config = state.config;
  const env = replayApiserverEnv(ctx, config, moment, port || (await freeLocalPort()), io.env);
  const apiserver = await startReplayApiserver(ctx, env, io.stderr);
  const kubeconfig = replayKubeconfigPath(ctx.paths.stateDir, apiserver.seq);
  await writeKubeconfig(kubeconfig, {
    cluster: `${ctx.cluster}-replay-${apiserver.seq}`,
    server: apiserver.url,
    token: config.token,
    caPem: await readCaCert(ctx.paths.stateDir),
  });
  io.stdout.write(
    `Replaying cluster ${ctx.cluster} at sequence ${apiserver.seq} (${apiserver.time}), read-only, on ${apiserver.url}\n` +
      `export KUBECONFIG=${kubeconfig}\n` +
      'Press Ctrl-C to stop.\n',
  );
  const why = await untilStopped(ctx, apiserver.exited);
  io.stdout.write(`Stopping the replay (${why}).\n`);
  await apiserver.stop();
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
