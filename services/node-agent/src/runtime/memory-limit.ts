/**
 * limits.memory of a container, enforced on its process tree with the best mechanism
 * this machine has: a cgroup v2 child with memory.max (unified hierarchy), else a cgroup
 * v1 memory child with memory.limit_in_bytes (when /sys/fs/cgroup/memory is writable),
 * else an RSS watchdog that sums VmRSS of the process and its descendants every 250 ms
 * and SIGKILLs the process group over the limit. In every case a run killed for memory
 * reports OOMKilled (exit 137 from SIGKILL), as the kubelet does.
 */
import { existsSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupVersionFor, makeCgroup } from './cgroup-fs.js';

/** How limits are enforced on this machine. */
export type MemoryMechanism = 'cgroup2' | 'cgroup1' | 'watchdog';

/** Enforcement of one run's limit. */
export interface MemoryGuard {
  /** True once the run was killed for exceeding the limit (read after it exited). */
  oomKilled(): boolean;
  /** Stops watching and removes the run's cgroup. */
  stop(): void;
}

/** Options of `createMemoryLimiter`. */
export interface MemoryLimiterOptions {
  /** Root of the cgroup file system (tests may point elsewhere). */
  cgroupRoot?: string;
  /** Forces a mechanism (tests). */
  mechanism?: MemoryMechanism;
  /** Path of the runs' parent cgroup below each hierarchy (default `kemu`; the node-agent uses `kemu/<cluster>`). */
  scope?: string;
  pollMs?: number;
}

/** Picks the mechanism available under `root`. */
export function detectMemoryMechanism(root = '/sys/fs/cgroup'): MemoryMechanism {
  return cgroupVersionFor(root, 'memory', 'memory.limit_in_bytes') ?? 'watchdog';
}

function readNumber(path: string, field?: string): number {
  try {
    const text = readFileSync(path, 'utf8');
    if (!field) return Number(text.trim()) || 0;
    const m = new RegExp(`^${field} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** VmRSS of `pid` and all its descendants, in bytes. */
export function treeRss(pid: number): number {
  let total = 0;
  const stack = [pid];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const p = stack.pop() as number;
    if (seen.has(p)) continue;
    seen.add(p);
    total += readNumber(`/proc/${p}/status`, 'VmRSS:\\s*') * 1024;
    try {
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (kids) for (const k of kids.split(/\s+/)) stack.push(Number(k));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

function watchdog(pid: number, limitBytes: number, pollMs: number): MemoryGuard {
  let killed = false;
  const timer = setInterval(() => {
    if (treeRss(pid) > limitBytes) {
      killed = true;
      clearInterval(timer);
      killGroup(pid);
    }
  }, pollMs);
  return { oomKilled: () => killed, stop: () => clearInterval(timer) };
}

function cgroup(root: string, dir: string, v2: boolean, pid: number, limitBytes: number): MemoryGuard {
  makeCgroup(root, dir, v2, 'memory');
  if (v2) {
    writeFileSync(join(dir, 'memory.max'), String(limitBytes));
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
  } else {
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
  }
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  let killed: boolean | undefined;
  const oomKills = () =>
    v2 ? readNumber(join(dir, 'memory.events'), 'oom_kill') : readNumber(join(dir, 'memory.oom_control'), 'oom_kill');
  return {
    oomKilled() {
      killed ??= oomKills() > 0;
      return killed;
    },
    stop() {
      killed ??= oomKills() > 0;
      try {
        rmdirSync(dir);
      } catch {
        // Still has processes (a straggler) or gone already.
      }
    },
  };
}

/** Creates the limiter of this node: `limit(id, pid, bytes)` guards one run. */
export function createMemoryLimiter(options: MemoryLimiterOptions = {}) {
  const root = options.cgroupRoot ?? '/sys/fs/cgroup';
  const scope = options.scope ?? 'kemu';
  const mechanism = options.mechanism ?? detectMemoryMechanism(root);
  const pollMs = options.pollMs ?? 250;
  return {
    mechanism,
    /** Enforces `limitBytes` on the process tree of `pid`; `id` names its cgroup. Falls back to the watchdog on error. */
    limit(id: string, pid: number, limitBytes: number): MemoryGuard {
      const safe = id.replace(/[^A-Za-z0-9_.-]/g, '_');
      try {
        if (mechanism === 'cgroup2') return cgroup(root, join(root, scope, safe), true, pid, limitBytes);
        if (mechanism === 'cgroup1') return cgroup(root, join(root, 'memory', scope, safe), false, pid, limitBytes);
      } catch {
        // A cgroup that cannot be set up: the watchdog still enforces the limit.
      }
      return watchdog(pid, limitBytes, pollMs);
    },
  };
}
