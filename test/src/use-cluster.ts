/**
 * The cluster fixture of the end-to-end files: one call in a describe block replaces
 * the `let cluster` / beforeAll (prerequisites, `kemu up`) / afterAll (`kemu down`)
 * every file repeated. Kept apart from kemu-cluster.ts, which the benchmark imports
 * outside vitest.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type KemuCluster, missingPrerequisite, runCommand, startCluster } from './kemu-cluster.js';

/**
 * Brings a cluster up before the enclosing describe's tests (failing, never skipping, when
 * a prerequisite is missing) and down after them, the describe's own afterAll hooks
 * first. The handle forwards to the running cluster, so tests use it as a KemuCluster.
 */
export function useCluster(options: Parameters<typeof startCluster>[0]): KemuCluster {
  let running: KemuCluster | undefined;
  beforeAll(async () => {
    const missing = missingPrerequisite();
    if (missing) throw new Error(`cannot run the end-to-end suite: ${missing}`);
    running = await startCluster(options);
  });
  // A failed test leaves what the cluster looked like in the output: pods, nodes and the
  // warnings and errors its components logged (the state dir goes with `kemu down`).
  afterEach(async (ctx) => {
    if (!running || ctx.task.result?.state !== 'fail') return;
    const pods = await running.kubectl(['get', 'pods', '-A', '-o', 'wide']);
    const nodes = await running.kubectl(['get', 'nodes', '-o', 'wide']);
    const logs = await runCommand('sh', [
      '-c',
      `for f in ${running.stateDir}/logs/*.log; do echo "== $f"; grep -E '"level":(40|50|60)' "$f" | tail -n 8 | cut -c1-400; done`,
    ]);
    process.stdout.write(
      `\n--- cluster ${running.name} after a failed test ---\n${nodes.stdout}${pods.stdout}${logs.stdout}\n`,
    );
  });
  afterAll(async () => {
    await running?.down();
  });
  return new Proxy({} as KemuCluster, {
    get(_target, prop) {
      if (!running) throw new Error(`cluster ${options.name} is not up: use it inside the describe's tests and hooks`);
      const value: unknown = Reflect.get(running, prop);
      return typeof value === 'function' ? value.bind(running) : value;
    },
  });
}
