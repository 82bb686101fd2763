/**
 * One builder per image across processes: every node-agent of every cluster on the
 * machine shares the image store, and a cold store would otherwise have each of them
 * copy and hash the same ~100 MB at once. The lock is a file created exclusively
 * (`wx`) holding the builder's pid and start time; a waiter polls for it to go and takes
 * over a lock whose process has died (a builder killed mid-build).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { processAlive, processStartTicks } from './proc.js';
import { pathExists } from './path-exists.js';

async function holderAlive(path: string): Promise<boolean> {
  try {
    const { pid, startTicks } = JSON.parse(await readFile(path, 'utf8')) as { pid: number; startTicks?: string };
    return await processAlive(pid, startTicks);
  } catch {
    // Unreadable: being written this instant, or gone. Treat as alive once; the next look decides.
    return true;
  }
}

/** Runs `fn` holding the lock file `path`; waits while another live process holds it. */
export async function withBuildLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const mine = JSON.stringify({ pid: process.pid, startTicks: await processStartTicks(process.pid) });
  for (;;) {
    try {
      await writeFile(path, mine, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (!(await holderAlive(path))) {
      await rm(path, { force: true });
      continue;
    }
    await waitForGone(path);
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

/** Polls (builds take seconds, so 100 ms costs nothing) until the lock is gone or its holder died. */
async function waitForGone(path: string): Promise<void> {
  while ((await pathExists(path)) && (await holderAlive(path))) await new Promise((r) => setTimeout(r, 100));
}
