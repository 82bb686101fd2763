/**
 * The nats-server versions kemu supports: 2.10 or newer, the line CI installs (Debian
 * 13's). On Debian 12's 2.9.10 `pnpm bench` hung for good in its snapshot start-up (an
 * informer never reported synced), so `kemu up` refuses an older server instead of
 * starting a cluster that may hang, and names the script that installs a supported one.
 */
import { run } from '@kemu/netns';
import { PrerequisiteError } from '../errors.js';

/** The oldest supported nats-server, as [major, minor]. */
export const MIN_NATS_SERVER: readonly [number, number] = [2, 10];

/** The script that installs a supported nats-server (and everything else kemu needs). */
export const INSTALL_DEPS_SCRIPT = 'infra/scripts/install-deps.sh';

/** A nats-server version. */
export interface NatsServerVersion {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

/** Parses `nats-server --version` output (`nats-server: v2.10.27`) or a server INFO version (`2.10.27`). */
export function parseNatsServerVersion(output: string): NatsServerVersion | undefined {
  const m = /(?:^|\s|v)(\d+)\.(\d+)\.(\d+)/.exec(output.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: `${m[1]}.${m[2]}.${m[3]}` };
}

/** Why `version` cannot be used (a message naming the fix), or undefined when it is supported. */
export function unsupportedNatsServer(
  version: NatsServerVersion | undefined,
  what = 'nats-server',
): string | undefined {
  const [major, minor] = MIN_NATS_SERVER;
  const need = `${major}.${minor}`;
  if (!version)
    return `cannot tell the version of ${what}; kemu needs ${need} or newer (run as root: ${INSTALL_DEPS_SCRIPT})`;
  if (version.major > major || (version.major === major && version.minor >= minor)) return undefined;
  return `${what} ${version.text} is not supported: kemu needs ${need} or newer (run as root: ${INSTALL_DEPS_SCRIPT}; on Debian 12 it installs Debian 13's nats-server)`;
}

/** Throws PrerequisiteError unless the `nats-server` on PATH is a supported version. */
export async function checkNatsServerBinary(command = 'nats-server'): Promise<NatsServerVersion> {
  const { stdout, stderr } = await run(command, ['--version'], { timeoutMs: 10_000 });
  const version = parseNatsServerVersion(`${stdout}\n${stderr}`);
  const problem = unsupportedNatsServer(version);
  if (problem) throw new PrerequisiteError(problem);
  return version as NatsServerVersion;
}
