/**
 * The memory hog of the HTTP workload (KEMU_MEMORY_HOG_MB, KEMU_MEMORY_HOG_RATE_MB):
 * allocates and touches that much memory, at once or growing by the rate each second,
 * so the resident set really grows and a memory limit really hits.
 */

/** Holds the allocated buffers; returns the stopper. */
export function startMemoryHog(
  options: { totalMb: number; rateMb?: number },
  onGrow?: (mb: number) => void,
): () => void {
  const chunks: Buffer[] = [];
  let held = 0;
  const grow = (mb: number) => {
    const step = Math.min(mb, options.totalMb - held);
    if (step <= 0) return;
    for (let i = 0; i < step; i++) chunks.push(Buffer.alloc(1024 * 1024, 1));
    held += step;
    onGrow?.(held);
  };
  if (!options.rateMb || options.rateMb <= 0) {
    grow(options.totalMb);
    return () => chunks.splice(0);
  }
  const rate = options.rateMb;
  grow(rate);
  const timer = setInterval(() => {
    grow(rate);
    if (held >= options.totalMb) clearInterval(timer);
  }, 1_000);
  return () => {
    clearInterval(timer);
    chunks.splice(0);
  };
}
