/**
 * Process handling for `down` and the supervisor: liveness (a zombie counts as dead),
 * SIGTERM-then-SIGKILL, and finding a cluster's processes by their environment
 * (KEMU_CLUSTER and KEMU_STATE_DIR), so nothing of a cluster survives `down` even when a
 * pid file is lost, while a user's shell that merely exports KEMU_CLUSTER is left alone.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Tells whether a process exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Sends SIGTERM to every pid, SIGKILL after `graceMs` to those still alive, and waits until all are gone. */
export async function stopProcesses(pids: readonly number[], graceMs = 3_000): Promise<void> {
  const targets = [...new Set(pids)].filter((p) => p > 0 && p !== process.pid);
  for (const pid of targets) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let alive = targets;
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(50);
    alive = await filterAlive(alive);
  }
  for (const pid of alive) signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 2_000;
  while (alive.length > 0 && Date.now() < killDeadline) {
    await sleep(20);
    alive = await filterAlive(alive);
  }
}

async function filterAlive(pids: readonly number[]): Promise<number[]> {
  const out: number[] = [];
  for (const pid of pids) if (await isAlive(pid)) out.push(pid);
  return out;
}

/** Reads a process's environment as a map; undefined when it is gone or unreadable. */
export async function processEnv(pid: number): Promise<Map<string, string> | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
    const env = new Map<string, string>();
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return env;
  } catch {
    return undefined;
  }
}

/** Tells whether a process's environment has exactly `name=value`. */
export async function processHasEnv(pid: number, name: string, value: string): Promise<boolean> {
  return (await processEnv(pid))?.get(name) === value;
}

async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Returns this process and all its ancestors, which a cleanup must never kill. */
export async function selfAndAncestors(): Promise<Set<number>> {
  const out = new Set<number>([process.pid]);
  let pid: number | undefined = process.ppid;
  while (pid && pid > 1 && !out.has(pid)) {
    out.add(pid);
    pid = await parentOf(pid);
  }
  return out;
}

/** Lists pids (except this process and its ancestors) whose environment has every `name=value` of `match`. */
export async function findProcessesWithEnv(match: Record<string, string>): Promise<number[]> {
  const skip = await selfAndAncestors();
  const entries = await readdir('/proc');
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (skip.has(pid)) continue;
    const env = await processEnv(pid);
    if (env && Object.entries(match).every(([k, v]) => env.get(k) === v)) found.push(pid);
  }
  return found;
}
