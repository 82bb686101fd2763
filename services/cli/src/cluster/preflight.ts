/**
 * Checks `kemu up` makes before touching anything: root, the tools it runs (naming the
 * Debian package that provides each), a supported nats-server when it starts its own,
 * the built services, and that neither the apiserver port nor the cluster's underlay
 * subnet is taken.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsCommandError, run } from '@kemu/netns';
import type { ClusterContext } from '../cluster-context.js';
import { PrerequisiteError } from '../errors.js';
import { checkNatsServerBinary } from './nats-server-version.js';
import { bundleFile, staleBundles } from './service-entry.js';
import { canConnect } from './wait-for-port.js';

const tools: { cmd: string; args: string[]; pkg: string }[] = [
  { cmd: 'ip', args: ['-V'], pkg: 'iproute2' },
  { cmd: 'nats-server', args: ['--version'], pkg: 'nats-server' },
  { cmd: 'sysctl', args: ['-V'], pkg: 'procps' },
  { cmd: 'nsenter', args: ['-V'], pkg: 'util-linux' },
  { cmd: 'openssl', args: ['version'], pkg: 'openssl' },
  { cmd: 'nft', args: ['--version'], pkg: 'nftables' },
  { cmd: 'runc', args: ['--version'], pkg: 'runc' },
  { cmd: 'busybox', args: ['true'], pkg: 'busybox-static' },
];

/** The tools the nftables proxy mode runs in every node netns. */
const nftablesTools: { cmd: string; args: string[]; pkg: string }[] = [
  { cmd: 'nft', args: ['--version'], pkg: 'nftables' },
  { cmd: 'conntrack', args: ['--version'], pkg: 'conntrack' },
];

/** Services whose `dist/main.js` must exist. */
export const REQUIRED_SERVICES = ['apiserver', 'controller', 'node-agent', 'proxy', 'dns', 'pod-workload'];

/** Throws PrerequisiteError unless this host can run a cluster: root, the tools (nats-server 2.10+ when `ownNats`; nft and conntrack for the nftables proxy mode), the built services (and their bundles fresh, the CLI's `cliBundle` too). */
export async function checkHostPrerequisites(
  ctx: ClusterContext,
  opts: { ownNats: boolean; proxyMode?: 'userspace' | 'nftables'; cliBundle?: string },
): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new PrerequisiteError('kemu up needs root (it creates network namespaces): run it with sudo');
  }
  // All at once (each is a process start; one after another they took a quarter of a second),
  // reported in the list's order; nats-server's version check also proves it is installed.
  const checked = opts.proxyMode === 'nftables' ? [...tools, ...nftablesTools] : tools;
  const outcomes = await Promise.allSettled(
    checked.map((tool) =>
      tool.cmd === 'nats-server' && opts.ownNats
        ? checkNatsServerBinary()
        : run(tool.cmd, tool.args, { timeoutMs: 10_000 }),
    ),
  );
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') return;
    const err = outcome.reason as unknown;
    if (err instanceof NetnsCommandError && err.code === 'CommandNotFound') {
      const tool = checked[i] as (typeof tools)[number];
      throw new PrerequisiteError(`${tool.cmd} is not installed: apt-get install ${tool.pkg}`);
    }
  });
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
  const missing = REQUIRED_SERVICES.filter((s) => !existsSync(join(ctx.servicesDir, s, 'dist', 'main.js')));
  if (missing.length > 0) {
    throw new PrerequisiteError(
      `kemu is not built: missing ${missing.map((s) => `services/${s}/dist/main.js`).join(', ')} (run: pnpm build)`,
    );
  }
  const stale = await staleBundles([
    ...REQUIRED_SERVICES.map((s) => bundleFile(ctx.servicesDir, s)),
    ...(opts.cliBundle ? [opts.cliBundle] : []),
  ]);
  if (stale.length > 0) throw new PrerequisiteError(`${stale.join('; ')} (run: pnpm build)`);
}

/**
 * Throws PrerequisiteError when the apiserver port is taken; returns the underlay subnet
 * index for the cluster: the one its name hashes to, else the next one no other cluster
 * on this machine uses (names hash into 200 subnets, so two clusters can meet).
 */
export async function checkAddressesFree(ctx: ClusterContext, apiserverPort: number): Promise<number> {
  if (await canConnect('127.0.0.1', apiserverPort, 500)) {
    throw new PrerequisiteError(
      `port ${apiserverPort} on 127.0.0.1 is in use (another cluster?): choose another with --apiserver-port`,
    );
  }
  const used = new Set<number>();
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show']);
  for (const line of stdout.split('\n')) {
    const [, dev, , cidr] = line.trim().split(/\s+/);
    const m = /^10\.250\.(\d+)\./.exec(cidr ?? '');
    if (m && dev !== `km-${ctx.cluster}`) used.add(Number(m[1]));
  }
  if (!used.has(ctx.subnetIndex)) return ctx.subnetIndex;
  // "local" has subnet 0 to itself; every other name takes one of 1..200.
  for (let k = 1; k <= SUBNETS; k++) {
    const index = ((ctx.subnetIndex - 1 + k) % SUBNETS) + 1;
    if (!used.has(index)) return index;
  }
  throw new PrerequisiteError(`every underlay subnet 10.250.1-${SUBNETS}.0/24 is in use: take a cluster down first`);
}

/** How many underlay subnets named clusters hash into (10.250.1.0/24 … 10.250.200.0/24). */
const SUBNETS = 200;
