/**
 * Which OCI runtime binary runs a node's containers: crun when the machine has it, else
 * runc. Both take the same commands; crun is a small C program where runc is a Go binary
 * that starts twice per container (its parent and its `init`), so a container start costs
 * a fraction of the CPU (in a 100-pod burst runc's parent and init took ~38 ms per pod).
 * crun 1.8 refuses to create containers on a hybrid cgroup host (cgroup v1 controllers
 * plus a cgroup2 hierarchy at /sys/fs/cgroup/unified holding a controller): there its
 * `run` is wrapped in a private mount namespace without that mount, where crun sees plain
 * cgroup v1. Only `run` creates cgroups; state, kill, delete and exec work unwrapped.
 * Each binary keeps its own state directory, and a container records the binary that
 * created it, so a container is always driven by its own runtime.
 */
import { readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, join } from 'node:path';

/** The runtimes kemu drives, preferred first. */
export const OCI_RUNTIMES = ['crun', 'runc'] as const;

/** The runtime's state directory (`--root`) below a node's runtime directory: `runc` or `crun`. */
export function runtimeRoot(dir: string, binary: string): string {
  return join(dir, basename(binary) === 'crun' ? 'crun' : 'runc');
}

/** The binary's absolute path found in PATH; undefined when it is not installed. */
export async function findBinary(binary: string): Promise<string | undefined> {
  if (binary.includes('/')) return binary;
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    try {
      await access(join(dir, binary), constants.X_OK);
      return join(dir, binary);
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** The first installed runtime of OCI_RUNTIMES (runc by name when none is found, so the error names it). */
export async function defaultRuntimeBinary(): Promise<string> {
  for (const name of OCI_RUNTIMES) {
    const found = await findBinary(name);
    if (found) return found;
  }
  return 'runc';
}

/** Whether this host mounts a cgroup2 hierarchy beside cgroup v1 (systemd's hybrid layout). */
export function hybridCgroupHost(mountinfo = readMountinfo()): boolean {
  return mountinfo.split('\n').some((l) => {
    const fields = l.split(' ');
    return fields[4] === '/sys/fs/cgroup/unified' && l.includes(' - cgroup2 ');
  });
}

function readMountinfo(): string {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}

/** The argv prefix under which `binary run` must start on this host (empty when it runs as it is). */
export function runPrefix(binary: string, hybrid = hybridCgroupHost()): string[] {
  if (basename(binary) !== 'crun' || !hybrid) return [];
  return [
    'unshare',
    '--mount',
    '--propagation',
    'slave',
    'sh',
    '-c',
    'umount /sys/fs/cgroup/unified && exec "$@"',
    'sh',
  ];
}
