/** Start-up from snapshot at size: the apiserver SIGKILLed, its supervisor restarts it, timed to its first list. */
import { readFile } from 'node:fs/promises';
import type { KemuCluster } from '../kemu-cluster.js';
import { type ApiGet, until } from './growth-probes.js';

/** Wall-clock start of a process (ms since the epoch), from /proc's boot-relative start time. */
async function processStartMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const uptimeS = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
  return Date.now() - (uptimeS - startTicks / 100) * 1000;
}

/** Kills the apiserver; ms from its successor's process start to its first successful list (the supervisor's backoff excluded). */
export async function apiserverRestartMs(cluster: KemuCluster, get: ApiGet): Promise<number> {
  const oldPid = (await cluster.pids()).apiserver as number;
  process.kill(oldPid, 'SIGKILL');
  let newPid = 0;
  await until(
    'apiserver restarted',
    60_000,
    async () => {
      newPid = (await cluster.pids()).apiserver ?? 0;
      return newPid !== 0 && newPid !== oldPid;
    },
    20,
  );
  const startedAt = await processStartMs(newPid);
  await until(
    'apiserver lists',
    60_000,
    async () => (await get('/api/v1/pods?limit=500').catch(() => ({ status: 0 }))).status === 200,
    20,
  );
  return Date.now() - startedAt;
}
