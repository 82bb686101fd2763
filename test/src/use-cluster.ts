/**
 * The cluster fixture of the end-to-end files: one call in a describe block replaces
 * the `let cluster` / beforeAll (prerequisites, `kemu up`) / afterAll (`kemu down`)
 * every file repeated. Kept apart from kemu-cluster.ts, which the benchmark imports
 * outside vitest.
 */
import { afterAll, beforeAll } from 'vitest';
import { type KemuCluster, missingPrerequisite, startCluster } from './kemu-cluster.js';

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
