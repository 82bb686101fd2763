/**
 * What one container uses, measured the way cAdvisor measures it for the kubelet: from
 * the container's own cgroup when it has one (found in /proc/<init pid>/cgroup; this host
 * has cgroup v1, where CPU is `cpuacct.usage` and the working set is
 * `memory.usage_in_bytes` minus `total_inactive_file`; on v2 `cpu.stat`'s usage_usec and
 * `memory.current` minus `inactive_file`), else — a container sharing the cgroup of the
 * node-agent, or of the root — from /proc: the CPU time of the init and every process
 * below it (their own and their reaped children's) and their resident memory.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A cumulative CPU time and a working set. */
export interface Usage {
  cpuSeconds: number;
  memoryBytes: number;
}

/** Where the files are (tests point it elsewhere). */
export interface UsageRoots {
  proc: string;
  cgroup: string;
}

const ROOTS: UsageRoots = { proc: '/proc', cgroup: '/sys/fs/cgroup' };
const CLOCK_TICKS = 100;
const PAGE_SIZE = 4096;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** cgroup path by controller ('' is v2's unified hierarchy) from a /proc/<pid>/cgroup text. */
export function cgroupPaths(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    for (const c of (m[1] as string).split(',')) out.set(c, m[2] as string);
  }
  return out;
}

function statValue(text: string | undefined, key: string): number | undefined {
  const m = text && new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

function fromCgroup(pid: number, roots: UsageRoots): Usage | undefined {
  const mine = cgroupPaths(read(join(roots.proc, 'self/cgroup')) ?? '');
  const theirs = cgroupPaths(read(join(roots.proc, String(pid), 'cgroup')) ?? '');
  const own = (controller: string) => {
    const p = theirs.get(controller);
    return p !== undefined && p !== '/' && p !== mine.get(controller) ? p : undefined;
  };
  const cpuPath = own('cpuacct');
  const memPath = own('memory');
  if (cpuPath !== undefined && memPath !== undefined) {
    const ns = Number(read(join(roots.cgroup, 'cpuacct', cpuPath, 'cpuacct.usage')));
    const usage = Number(read(join(roots.cgroup, 'memory', memPath, 'memory.usage_in_bytes')));
    const inactive = statValue(read(join(roots.cgroup, 'memory', memPath, 'memory.stat')), 'total_inactive_file') ?? 0;
    if (Number.isFinite(ns) && Number.isFinite(usage))
      return { cpuSeconds: ns / 1e9, memoryBytes: Math.max(0, usage - inactive) };
  }
  const unified = own('');
  if (unified !== undefined && cpuPath === undefined) {
    const dir = join(roots.cgroup, unified);
    const usec = statValue(read(join(dir, 'cpu.stat')), 'usage_usec');
    const current = Number(read(join(dir, 'memory.current')));
    const inactive = statValue(read(join(dir, 'memory.stat')), 'inactive_file') ?? 0;
    if (usec !== undefined && Number.isFinite(current))
      return { cpuSeconds: usec / 1e6, memoryBytes: Math.max(0, current - inactive) };
  }
  return undefined;
}

/** Parent pid and CPU ticks (own + reaped children) of every process, from /proc/<pid>/stat. */
function processTable(roots: UsageRoots): Map<number, { ppid: number; ticks: number }> {
  const table = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync(roots.proc)) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(join(roots.proc, name, 'stat'));
    if (!stat) continue;
    // Fields after the command (which may hold spaces and parentheses): state ppid … utime stime cutime cstime.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    table.set(Number(name), { ppid: Number(f[1]), ticks });
  }
  return table;
}

/** The usage of `pid` and its descendants from /proc, not descending into the `exclude`d pids. */
export function processTreeUsage(
  pid: number,
  roots: UsageRoots = ROOTS,
  exclude: ReadonlySet<number> = new Set(),
): Usage | undefined {
  const table = processTable(roots);
  if (!table.has(pid)) return undefined;
  const children = new Map<number, number[]>();
  for (const [p, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), p]);
  let ticks = 0;
  let memoryBytes = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    if (exclude.has(p)) continue;
    ticks += table.get(p)?.ticks ?? 0;
    const resident = Number(read(join(roots.proc, String(p), 'statm'))?.split(' ')[1]);
    if (Number.isFinite(resident)) memoryBytes += resident * PAGE_SIZE;
    stack.push(...(children.get(p) ?? []));
  }
  return { cpuSeconds: ticks / CLOCK_TICKS, memoryBytes };
}

/** The usage of the container whose init is `pid`: its cgroup's, else its process tree's; undefined when it is gone. */
export function containerUsage(pid: number, roots: UsageRoots = ROOTS): Usage | undefined {
  return fromCgroup(pid, roots) ?? processTreeUsage(pid, roots);
}
