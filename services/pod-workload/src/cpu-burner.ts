/**
 * The CPU burner of the HTTP workload (KEMU_BURN_CPU=<threads>): that many worker
 * threads spin without pause, so a CPU limit really throttles something while the HTTP
 * server (on the main thread) keeps answering probes.
 */
import { Worker } from 'node:worker_threads';

/** Starts `threads` spinning threads; returns the stopper. */
export function startCpuBurner(threads: number): () => Promise<void> {
  const workers: Worker[] = [];
  for (let i = 0; i < threads; i++) {
    const w = new Worker('for (;;) {}', { eval: true });
    w.unref();
    workers.push(w);
  }
  return async () => {
    await Promise.all(workers.map((w) => w.terminate()));
  };
}
