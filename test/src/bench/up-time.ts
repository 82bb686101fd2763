/** Measures `kemu up --nodes 3` to a ready cluster, wall time, several runs. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@kemu/testkit';
import { repoRoot, runCommand } from '../kemu-cluster.js';
import { median } from './stats.js';
import type { Row } from './table.js';

/** Runs up/down `runs` times and reports the median time to ready. */
export async function measureUp(
  progress: (msg: string) => void,
  runs: number,
): Promise<{ rows: Row[]; samples: number[] }> {
  const home = await mkdtemp(join(tmpdir(), 'kemu-bench-up-'));
  const env = { KEMU_HOME: home };
  const samples: number[] = [];
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
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await runCommand(join(repoRoot, 'kemu'), ['down', '--name', 'benchup'], { env });
      if (up.code !== 0) throw new Error(`kemu up failed: ${up.stderr}`);
      samples.push(seconds);
      progress(`kemu up (3 nodes) run ${i + 1}/${runs}: ${seconds.toFixed(2)} s`);
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  return {
    rows: [{ figure: 'kemu up to ready, 3 nodes', value: `${median(samples).toFixed(2)} s`, target: '≤ 3 s' }],
    samples,
  };
}
