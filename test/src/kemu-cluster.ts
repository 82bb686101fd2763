/**
 * Drives a real kemu cluster for end-to-end tests: `./kemu up` in its own KEMU_HOME,
 * the real kubectl with its own kubeconfig and cache, `./kemu exec` into pods, and
 * `./kemu down` that must leave nothing behind.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@kemu/testkit';
import type { ProxyMode } from './proxy-modes.js';

/** The repository root (this file lives in test/src or test/dist). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Result of a finished command. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws for a non-zero exit. */
export function runCommand(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      cmd,
      args,
      {
        env: { ...process.env, ...options.env },
        cwd: options.cwd ?? repoRoot,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Says why the end-to-end suite cannot run here, or undefined when it can. */
export function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'the end-to-end suite needs root (network namespaces)';
  for (const tool of ['kubectl', 'nats-server', 'ip', 'curl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  if (!existsSync(join(repoRoot, 'services/cli/dist/main.js'))) return 'kemu is not built (pnpm build)';
  return undefined;
}

/** A running test cluster. */
export interface KemuCluster {
  readonly name: string;
  readonly home: string;
  readonly stateDir: string;
  kemu(args: string[], options?: { timeoutMs?: number }): Promise<CommandResult>;
  kubectl(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<CommandResult>;
  /** kubectl that must succeed; returns stdout. */
  kubectlOk(args: string[], options?: { input?: string }): Promise<string>;
  /** Runs a command inside a pod's network namespace (`kemu exec`). */
  exec(pod: string, command: string[], options?: { namespace?: string; timeoutMs?: number }): Promise<CommandResult>;
  /** The supervisor's pid file: component → pid. */
  pids(): Promise<Record<string, number>>;
  down(): Promise<CommandResult>;
}

/**
 * Brings a cluster up with `./kemu up`; throws with the command's output if that fails.
 * The cluster's name is the given prefix (≤ 4 characters) plus 4 random ones, so test
 * runs in parallel never share a name (netns and link names are host-wide).
 */
export async function startCluster(options: {
  name: string;
  nodes: number;
  /** Extra environment for `kemu up`, passed on to every component (e.g. KEMU_NODE_GRACE_SECONDS). */
  env?: Record<string, string>;
  /** `kemu up --proxy-mode`; absent means kemu's default (userspace). */
  proxyMode?: ProxyMode;
  /** `kemu up --hollow-nodes`; absent: none. */
  hollowNodes?: number;
}): Promise<KemuCluster> {
  const name = `${options.name.slice(0, 4)}${randomBytes(2).toString('hex')}`;
  return startNamedCluster({ ...options, name });
}

/** Brings up a cluster with exactly this name (for tests that bring the same cluster up twice). */
export async function startNamedCluster(options: {
  name: string;
  nodes: number;
  env?: Record<string, string>;
  proxyMode?: ProxyMode;
  hollowNodes?: number;
}): Promise<KemuCluster> {
  const home = await mkdtemp(join(tmpdir(), `kemu-e2e-${options.name}-`));
  const kubeCache = join(home, 'kube-cache');
  const env = { ...options.env, KEMU_HOME: home, KEMU_CLUSTER: options.name };
  const kemuBin = join(repoRoot, 'kemu');
  const stateDir = join(home, options.name);
  const kubeconfig = join(stateDir, 'kubeconfig');

  const kemu = (args: string[], o: { timeoutMs?: number } = {}) =>
    runCommand(kemuBin, args, { env, timeoutMs: o.timeoutMs ?? 120_000 });
  const kubectl = (args: string[], o: { input?: string; timeoutMs?: number } = {}) =>
    runCommand('kubectl', args, {
      env: { KUBECONFIG: kubeconfig, KUBECACHEDIR: kubeCache },
      input: o.input,
      timeoutMs: o.timeoutMs ?? 60_000,
    });

  // A free apiserver port, so a test cluster never collides with a user's cluster on 6443.
  const port = await freePort();
  const up = await kemu(
    [
      'up',
      '--nodes',
      String(options.nodes),
      '--name',
      options.name,
      '--apiserver-port',
      String(port),
      ...(options.proxyMode ? ['--proxy-mode', options.proxyMode] : []),
      ...(options.hollowNodes ? ['--hollow-nodes', String(options.hollowNodes)] : []),
    ],
    {
      timeoutMs: 180_000,
    },
  );
  if (up.code !== 0) {
    const logs = await runCommand('sh', ['-c', `tail -n 30 ${stateDir}/logs/*.log 2>/dev/null`]);
    await kemu(['down', '--name', options.name]);
    throw new Error(`kemu up failed (${up.code}):\n${up.stdout}\n${up.stderr}\n${logs.stdout}`);
  }

  return {
    name: options.name,
    home,
    stateDir,
    kemu,
    kubectl,
    async kubectlOk(args, o = {}) {
      const r = await kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
    exec(pod, command, o = {}) {
      const ns = o.namespace ? ['-n', o.namespace] : [];
      return runCommand(kemuBin, ['exec', '--name', options.name, ...ns, pod, '--', ...command], {
        env,
        timeoutMs: o.timeoutMs ?? 60_000,
      });
    },
    async pids() {
      return JSON.parse(await readFile(join(stateDir, 'pids.json'), 'utf8')) as Record<string, number>;
    },
    async down() {
      const r = await kemu(['down', '--name', options.name]);
      await rm(home, { recursive: true, force: true });
      return r;
    },
  };
}

/**
 * True once `pod` holds an established TCP connection to `dst` (`ip` or `ip:port`), as
 * `netstat -tn` inside its container shows (its image has busybox, not iproute2's ss).
 */
export async function hasConnection(cluster: KemuCluster, pod: string, dst: string): Promise<boolean> {
  const r = await cluster.exec(pod, ['netstat', '-tn']);
  if (r.code !== 0) return false;
  return r.stdout.split('\n').some((line) => {
    const [, , , , foreign, state] = line.trim().split(/\s+/);
    return state === 'ESTABLISHED' && (foreign === dst || (!dst.includes(':') && foreign?.startsWith(`${dst}:`)));
  });
}

/**
 * Downloads `url` from inside `pod` with curl at 10 MB/s into /dev/null: a transfer that
 * stays in flight for size/10 MB seconds. Its stdout is `<bytes received> <http status>`.
 */
export function slowDownload(cluster: KemuCluster, pod: string, url: string): Promise<CommandResult> {
  const curl = ['curl', '-sS', '--limit-rate', '10M', '-o', '/dev/null', '-w', '%{size_download} %{http_code}', url];
  return cluster.exec(pod, curl, { timeoutMs: 30_000 });
}

/** What a kemu web pod answers. */
export interface WorkloadReply {
  pod: string;
  namespace: string;
  node: string;
  podIP: string;
  client: string;
  path: string;
}

/** Parses the JSON lines that a loop of curl calls printed. */
export function parseReplies(stdout: string): WorkloadReply[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as WorkloadReply);
}

/** Counts replies per pod name. */
export function countByPod(replies: WorkloadReply[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of replies) counts[r.pod] = (counts[r.pod] ?? 0) + 1;
  return counts;
}

/** A shell loop that curls `url` n times, one JSON reply per line. */
export function curlLoop(url: string, n: number): string[] {
  return ['sh', '-c', `for i in $(seq ${n}); do curl -sS -m 5 ${url} || echo "curl-error $?"; echo; done`];
}
