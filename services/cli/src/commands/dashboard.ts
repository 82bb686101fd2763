/**
 * `kemu dashboard`: a live, read-only web page of the cluster on 127.0.0.1 (topology,
 * traffic from the flow records, Service anatomy, time travel), served by the dashboard
 * process until Ctrl-C; `--detach` leaves it running in the background.
 */
import { boolFlag, boolFlagSpec, intFlag, valueFlagSpec } from '../args.js';
import { readClusterState } from '../cluster/cluster-state.js';
import { dashboardEnv, startDashboard, startDetachedDashboard } from '../cluster/dashboard-process.js';
import type { Command, CommandIO } from '../command.js';
import { ClusterNotUpError } from '../errors.js';

async function runDashboard(io: CommandIO): Promise<number> {
  const { ctx, args } = io;
  const port = intFlag(args, 'port', 0, 0, 65535);
  const state = await readClusterState(ctx);
  if (!state.up || !state.config) throw new ClusterNotUpError(ctx.cluster);
  const env = dashboardEnv(ctx, state.config, port);
  if (boolFlag(args, 'detach')) {
    const { pid, url } = await startDetachedDashboard(ctx, io.cliMain, env, io.env);
    io.stdout.write(`Dashboard of cluster ${ctx.cluster}: ${url} (read-only)\nStop it with: kill ${pid}\n`);
    return 0;
  }
  const dashboard = await startDashboard(io.cliMain, env, io.env, io.stderr);
  io.stdout.write(`Dashboard of cluster ${ctx.cluster}: ${dashboard.url} (read-only)\nPress Ctrl-C to stop.\n`);
  const stop = () => dashboard.child.kill('SIGTERM');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const code = await dashboard.exited;
    return code === 0 || code === 143 ? 0 : code;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `kemu dashboard`. */
export const dashboardCommand: Command = {
  name: 'dashboard',
  usage: 'kemu dashboard [--port P] [--detach]',
  summary: 'serve a live, read-only web page of the cluster and its traffic on 127.0.0.1 (port printed)',
  flags: [valueFlagSpec('port'), boolFlagSpec('detach')],
  run: runDashboard,
};
