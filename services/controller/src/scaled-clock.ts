/** A clock that runs `scale` times faster than real time from the moment it is made. */
export function scaledClock(scale: number, real: () => number = Date.now): () => Date {
  const start = real();
  return () => new Date(start + (real() - start) * scale);
}
