/**
 * The apiserver process behind `kemu replay`: services/apiserver started in its replay
 * mode (KEMU_APISERVER_REPLAY_AT), with the cluster's certificate, token file and NATS, on
 * 127.0.0.1. The CLI does not assemble apiserver internals: it reads the process's JSON log
 * lines until `apiserver replay ready` (which carries the sequence, time and bound port)
 * and reports an error line, if the process exits first, as the failure. The process
 * carries KEMU_CLUSTER and KEMU_STATE_DIR like the cluster's components, so `kemu down`
 * stops it too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { ClusterContext } from '../cluster-context.js';
import { pkiPaths } from './cluster-pki.js';
import { type ClusterConfig, SERVICE_CIDR, natsCredentialEnv, natsUrl } from './components.js';
import { ADMIN_USER } from './nats-auth.js';
import { serviceEntry } from './service-entry.js';
import { CliError, WaitTimeoutError } from '../errors.js';
import type { Moment } from '../moment.js';

/** How long the apiserver may take to build the projection and listen. */
const READY_TIMEOUT_MS = 60_000;
/** How long a stopped apiserver gets before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** A replay apiserver that serves. */
export interface ReplayApiserver {
  pid: number;
  /** Sequence of the last event in the projection. */
  seq: number;
  /** When the log stored that event (RFC 3339), or '' when unknown. */
  time: string;
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** Resolves when the process exits, by itself or by `stop`. */
  exited: Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

/** A TCP port of 127.0.0.1 that is free now (the kernel's pick), for `--port 0`. */
export async function freeLocalPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The environment of the replay apiserver, serving on 127.0.0.1:`port`. */
export function replayApiserverEnv(
  ctx: ClusterContext,
  config: ClusterConfig,
  moment: Moment,
  port: number,
  baseEnv: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const pki = pkiPaths(ctx.paths.stateDir);
  const level =
    baseEnv.KEMU_LOG_LEVEL === 'debug' || baseEnv.KEMU_LOG_LEVEL === 'trace' ? baseEnv.KEMU_LOG_LEVEL : 'info';
  return {
    ...baseEnv,
    KEMU_CLUSTER: ctx.cluster,
    KEMU_STATE_DIR: ctx.paths.stateDir,
    KEMU_NATS_URL: natsUrl(config),
    ...natsCredentialEnv(config, ctx.paths.stateDir, ADMIN_USER),
    KEMU_SERVICE_CIDR: SERVICE_CIDR,
    KEMU_APISERVER_LISTEN: `127.0.0.1:${port}`,
    KEMU_APISERVER_CERT: pki.apiserverCert,
    KEMU_APISERVER_KEY: pki.apiserverKey,
    KEMU_APISERVER_TOKEN_FILE: pki.tokenFile,
    KEMU_APISERVER_REPLAY_AT: 'seq' in moment ? `seq:${moment.seq}` : moment.time.toISOString(),
    // The ready line is an info line.
    KEMU_LOG_LEVEL: level,
  };
}

interface LogLine {
  level?: number;
  msg?: string;
  seq?: number;
  at?: string;
  addresses?: { port?: number }[];
  err?: { message?: string; code?: string };
}

function parseLine(text: string): LogLine | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as LogLine) : undefined;
  } catch {
    return undefined;
  }
}

function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  return exited.finally(() => clearTimeout(timer));
}

/**
 * Starts the apiserver in replay mode and resolves once it serves; error lines after that
 * go to `stderr`. Throws CliError (the apiserver's error code, e.g. NothingToReplay) when
 * it exits before, WaitTimeoutError when it is not ready in time.
 */
export function startReplayApiserver(
  ctx: ClusterContext,
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream,
): Promise<ReplayApiserver> {
  const child = spawn(process.execPath, [serviceEntry(ctx.servicesDir, 'apiserver')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // 'close', not 'exit': the last log lines have been read by then.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let ready = false;
  let failure: LogLine['err'] | undefined;
  let errText = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (ready) stderr.write(d);
    else errText += d.toString();
  });
  return new Promise<ReplayApiserver>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stopChild(child, exited);
      reject(
        new WaitTimeoutError(`the replay apiserver (pid ${child.pid}) did not serve in ${READY_TIMEOUT_MS / 1000}s`),
      );
    }, READY_TIMEOUT_MS);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      const line = parseLine(text);
      if (ready) {
        if ((line?.level ?? 0) >= 50) stderr.write(`${text}\n`);
        return;
      }
      if ((line?.level ?? 0) >= 50 && line?.err) failure = line.err;
      if (line?.msg !== 'apiserver replay ready') return;
      ready = true;
      clearTimeout(timer);
      resolve({
        pid: child.pid as number,
        seq: line.seq ?? 0,
        time: line.at ?? '',
        url: `https://127.0.0.1:${line.addresses?.[0]?.port}`,
        exited,
        stop: () => stopChild(child, exited),
      });
    });
    void exited.then(() => {
      if (ready) return;
      clearTimeout(timer);
      const message = failure?.message ?? (errText.trim() || `the replay apiserver exited (${child.exitCode})`);
      reject(new CliError(failure?.code ?? 'ReplayFailed', message));
    });
  });
}
