/**
 * Named network namespaces (`ip netns`): list, create and delete them idempotently, and
 * run `ip` inside one. Deleting kills what still runs inside first, so the namespace and
 * every veth in it really go away instead of lingering while a process holds them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NetnsCommandError } from './errors.js';
import { run, type RunResult } from './run.js';

/** Runs `ip -n <netns> args...`, or plain `ip args...` when netns is undefined (the current netns). */
export function ipIn(netns: string | undefined, args: readonly string[]): Promise<RunResult> {
  return run('ip', netns ? ['-n', netns, ...args] : [...args]);
}

/**
 * Runs several `ip` commands in one process (`ip [-n NS] -batch -`), in order; it stops
 * at the first that fails (NetnsCommandError), the ones before it stay done.
 */
export function ipBatch(netns: string | undefined, commands: readonly (readonly string[])[]): Promise<RunResult> {
  const input = `${commands.map((c) => c.join(' ')).join('\n')}\n`;
  return run('ip', [...(netns ? ['-n', netns] : []), '-batch', '-'], { input });
}

/** Lists the names of all named network namespaces. */
export async function listNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.length > 0);
}

/** Tells whether the named network namespace exists. */
export async function netnsExists(name: string): Promise<boolean> {
  return (await listNetns()).includes(name);
}

/** Creates the named network namespace unless it exists. */
export async function addNetns(name: string): Promise<void> {
  if (await netnsExists(name)) return;
  try {
    await run('ip', ['netns', 'add', name]);
  } catch (err) {
    // Lost a race with another creator: the namespace is there, which is all we want.
    if (await netnsExists(name)) return;
    throw err;
  }
}

/** Lists the pids of processes running inside the named network namespace. */
export async function netnsPids(name: string): Promise<number[]> {
  const { stdout } = await run('ip', ['netns', 'pids', name]);
  return stdout
    .split('\n')
    .map((s) => Number.parseInt(s.trim(), 10))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Sends SIGKILL to every process in the namespace and waits (up to `timeoutMs`) until none is left. */
export async function killNetnsPids(name: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let pids: number[];
    try {
      pids = await netnsPids(name);
    } catch (err) {
      if (err instanceof NetnsCommandError && !(await netnsExists(name))) return;
      throw err;
    }
    const others = pids.filter((p) => p !== process.pid);
    if (others.length === 0 || Date.now() > deadline) return;
    for (const pid of others) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await sleep(50);
  }
}

/** Deletes the named network namespace unless it is already gone, killing its processes first. */
export async function deleteNetns(name: string): Promise<void> {
  if (!(await netnsExists(name))) return;
  await killNetnsPids(name);
  try {
    await run('ip', ['netns', 'delete', name]);
  } catch (err) {
    if (!(await netnsExists(name))) return;
    throw err;
  }
}

/** Tells whether a link with this name exists in the netns (undefined = the current one). */
export async function linkExists(netns: string | undefined, link: string): Promise<boolean> {
  try {
    await ipIn(netns, ['link', 'show', 'dev', link]);
    return true;
  } catch (err) {
    if (err instanceof NetnsCommandError && err.code === 'NetnsCommand') return false;
    throw err;
  }
}

/** Deletes a link unless it is already gone. */
export async function deleteLink(netns: string | undefined, link: string): Promise<void> {
  if (!(await linkExists(netns, link))) return;
  try {
    await ipIn(netns, ['link', 'delete', 'dev', link]);
  } catch (err) {
    if (await linkExists(netns, link)) throw err;
  }
}
