/**
 * Measures `kemu up --nodes 3` to a ready cluster, several runs: the wall time, and the CPU
 * the cluster's processes (supervisor, nats-server, every component) spent until then. The
 * machine is shared, so the wall time moves with its load; the CPU seconds hardly do, and
 * show what starting the components costs (bundled services start in under half of it).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@kemu/testkit';
import { repoRoot, runCommand } from '../kemu-cluster.js';
import { median } from './stats.js';
import type { Row } from './table.js';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, or 0 once it is gone. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name, which may hold spaces: state is the 3rd field, utime the 14th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / TICKS_PER_SECOND;
}

/** CPU seconds of the supervisor, nats-server and the components of the cluster in `stateDir`. */
async function clusterCpuSeconds(stateDir: string): Promise<number> {
  const pidFile = async (name: string) => Number((await readFile(join(stateDir, name), 'utf8').catch(() => '')).trim());
  const components = JSON.parse(await readFile(join(stateDir, 'pids.json'), 'utf8').catch(() => '{}')) as Record<
    string,
    number
  >;
  const pids = new Set([await pidFile('supervisor.pid'), await pidFile('nats.pid'), ...Object.values(components)]);
  let total = 0;
  for (const pid of pids) if (pid > 0) total += await cpuSeconds(pid);
  return total;
}

/** Runs up/down `runs` times and reports the median time to ready and CPU spent by then. */
export async function measureUp(
  progress: (msg: string) => void,
  runs: number,
): Promise<{ rows: Row[]; samples: { seconds: number[]; cpuSeconds: number[] } }> {
  const home = await mkdtemp(join(tmpdir(), 'kemu-bench-up-'));
  const env = { KEMU_HOME: home };
  const seconds: number[] = [];
  const cpu: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const port = String(await freePort());
      const started = process.hrtime.bigint();
      const up = await runCommand(
        join(repoRoot, 'kemu'),
        ['up', '--nodes', '3', '--name', 'benchup', '--apiserver-port', port],
        {
          env,
          timeoutMs: 120_000,
        },
      );
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const used = up.code === 0 ? await clusterCpuSeconds(join(home, 'benchup')) : 0;
      await runCommand(join(repoRoot, 'kemu'), ['down', '--name', 'benchup'], { env });
      if (up.code !== 0) throw new Error(`kemu up failed: ${up.stderr}`);
      seconds.push(wall);
      cpu.push(used);
      progress(`kemu up (3 nodes) run ${i + 1}/${runs}: ${wall.toFixed(2)} s, ${used.toFixed(2)} s of CPU`);
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  return {
    rows: [
      {
        figure: `kemu up to ready, 3 nodes (median of ${runs})`,
        value: `${median(seconds).toFixed(2)} s`,
        target: '≤ 2 s',
      },
      {
        figure: "kemu up: CPU of the cluster's processes by then",
        value: `${median(cpu).toFixed(2)} s`,
      },
    ],
    samples: { seconds, cpuSeconds: cpu },
  };
}
