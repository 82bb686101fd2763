/**
 * The dashboard process of a cluster (services/dashboard): started in the foreground by
 * `kemu dashboard`, or in the background (`--detach`, `kemu up --dashboard`) logging to
 * logs/dashboard.log with the cluster's KEMU_CLUSTER and KEMU_STATE_DIR, so `kemu down`
 * finds and stops it as it does the replay apiserver. It prints `dashboard: URL` once it
 * serves; both ways wait for that line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ClusterContext } from '../cluster-context.js';
import { CliError, WaitTimeoutError } from '../errors.js';
import { type ClusterConfig, natsCredentialEnv, natsUrl } from './components.js';
import { spawnDetached } from './nats-server.js';
import { isAlive } from './processes.js';

const READY_LINE = /^dashboard: (http:\/\/\S+)$/m;

/** The dashboard's entry point beside the CLI's. */
export function dashboardMain(cliMain: string): string {
  return resolve(dirname(cliMain), '..', '..', 'dashboard', 'dist', 'main.js');
}

/** The dashboard's environment for a cluster. */
export function dashboardEnv(ctx: ClusterContext, config: ClusterConfig, port: number): Record<string, string> {
  return {
    KEMU_CLUSTER: ctx.cluster,
    KEMU_STATE_DIR: ctx.paths.stateDir,
    KEMU_NATS_URL: natsUrl(config),
    ...natsCredentialEnv(config, ctx.paths.stateDir, 'dashboard'),
    KEMU_DASHBOARD_PORT: String(port),
  };
}

/** A foreground dashboard. */
export interface ForegroundDashboard {
  url: string;
  child: ChildProcess;
  exited: Promise<number>;
}

/** Starts the dashboard as a child and resolves with its URL once it serves. */
export async function startDashboard(
  cliMain: string,
  env: Record<string, string>,
  baseEnv: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream,
): Promise<ForegroundDashboard> {
  const child = spawn(process.execPath, [dashboardMain(cliMain)], {
    env: { ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? 1)));
  child.stderr?.pipe(stderr);
  let out = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = READY_LINE.exec(out);
      if (m?.[1]) resolveUrl(m[1]);
      if (out.length > 100_000) out = out.slice(-10_000);
    });
    void exited.then((code) =>
      reject(new CliError('DashboardFailed', `the dashboard exited (${code}): ${out.trim()}`)),
    );
  });
  return { url, child, exited };
}

/** Starts the dashboard in the background; resolves with its pid and URL once it serves. */
export async function startDetachedDashboard(
  ctx: ClusterContext,
  cliMain: string,
  env: Record<string, string>,
  baseEnv: NodeJS.ProcessEnv,
): Promise<{ pid: number; url: string }> {
  const logFile = join(ctx.paths.logsDir, 'dashboard.log');
  await mkdir(ctx.paths.logsDir, { recursive: true });
  const offset = existsSync(logFile) ? (await stat(logFile)).size : 0;
  const pid = await spawnDetached(
    { name: 'dashboard', command: process.execPath, args: [dashboardMain(cliMain)], env, logFile },
    baseEnv,
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = (await readFile(logFile)).subarray(offset).toString('utf8');
    const m = READY_LINE.exec(text);
    if (m?.[1]) return { pid, url: m[1] };
    if (!(await isAlive(pid))) throw new CliError('DashboardFailed', `the dashboard exited: ${text.trim()}`);
    if (Date.now() > deadline) throw new WaitTimeoutError(`the dashboard (pid ${pid}) did not start serving in 60s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
