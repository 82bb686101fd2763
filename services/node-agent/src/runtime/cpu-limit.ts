/**
 * limits.cpu of a container, enforced as the kubelet does through the CFS bandwidth
 * controller: a quota of `millicores × period / 1000` µs per 100 ms period (minimum
 * 1 ms). Where the machine has it: cgroup v2 `cpu.max` in the container's child
 * `/sys/fs/cgroup/<scope>/<id>` (the same directory the memory limit uses, as a process
 * sits in one cgroup of the unified hierarchy), else cgroup v1 `cpu.cfs_quota_us` /
 * `cpu.cfs_period_us` in `/sys/fs/cgroup/cpu/<scope>/<id>` (scope: `kemu/<cluster>`). Without either the limit is
 * not enforced (there is no watchdog for CPU).
 */
import { rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupVersionFor, makeCgroup } from './cgroup-fs.js';

/** How CPU limits are enforced on this machine. */
export type CpuMechanism = 'cgroup2' | 'cgroup1' | 'none';

/** Enforcement of one run's CPU limit. */
export interface CpuGuard {
  /** Removes the run's cgroup (when it is empty). */
  stop(): void;
}

/** The CFS period the kubelet uses (100 ms). */
export const CFS_PERIOD_US = 100_000;
/** The kernel's and the kubelet's smallest quota (1 ms). */
const MIN_QUOTA_US = 1_000;

/** CFS quota for `millicores` per period, as the kubelet's MilliCPUToQuota computes it. */
export function cpuQuotaUs(millicores: number, periodUs = CFS_PERIOD_US): number {
  return Math.max(MIN_QUOTA_US, Math.floor((millicores * periodUs) / 1000));
}

/** Millicores of a CPU quantity: `200m`, `0.5`, `2`; NaN when it is not one. */
export function parseMillicores(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'm' ? Math.ceil(n) : Math.ceil(n * 1000);
}

/** Picks the mechanism available under `root`. */
export function detectCpuMechanism(root = '/sys/fs/cgroup'): CpuMechanism {
  return cgroupVersionFor(root, 'cpu', 'cpu.cfs_quota_us') ?? 'none';
}

function cgroup(root: string, dir: string, v2: boolean, pid: number, quotaUs: number): CpuGuard {
  makeCgroup(root, dir, v2, 'cpu');
  if (v2) {
    writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${CFS_PERIOD_US}`);
  } else {
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
  }
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  return {
    stop() {
      try {
        rmdirSync(dir);
      } catch {
        // Still has processes (a straggler), shared with the memory limit, or gone already.
      }
    },
  };
}

/** Creates the CPU limiter of this node: `limit(id, pid, millicores)` guards one run. */
export function createCpuLimiter(
  options: {
    cgroupRoot?: string;
    mechanism?: CpuMechanism;
    /** Path of the runs' parent cgroup below each hierarchy (default `kemu`; the node-agent uses `kemu/<cluster>`). */
    scope?: string;
  } = {},
) {
  const root = options.cgroupRoot ?? '/sys/fs/cgroup';
  const scope = options.scope ?? 'kemu';
  const mechanism = options.mechanism ?? detectCpuMechanism(root);
  return {
    mechanism,
    /** Caps the process tree of `pid` at `millicores`; `id` names its cgroup. Undefined when not enforced. */
    limit(id: string, pid: number, millicores: number): CpuGuard | undefined {
      const safe = id.replace(/[^A-Za-z0-9_.-]/g, '_');
      const quota = cpuQuotaUs(millicores);
      try {
        if (mechanism === 'cgroup2') return cgroup(root, join(root, scope, safe), true, pid, quota);
        if (mechanism === 'cgroup1') return cgroup(root, join(root, 'cpu', scope, safe), false, pid, quota);
      } catch {
        // A cgroup that cannot be set up: the run goes unlimited.
      }
      return undefined;
    },
  };
}
