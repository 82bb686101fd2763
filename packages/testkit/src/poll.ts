/**
 * Polling with a deadline: the way tests wait instead of sleeping. `eventually` waits
 * for a condition to become true; `consistently` checks that one stays true for a
 * while, which is how a test asserts that something does NOT happen.
 */

/** Calls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what ?? 'condition'}${lastErr ? `: ${String(lastErr)}` : ''}`);
    }
    await pause(options.intervalMs ?? 100);
  }
}

/**
 * Calls `check` every `everyMs` for `forMs` (at least twice: at once and at the end) and
 * throws at the first call that returns false or throws, naming `what`. Use it where a
 * test asserts that something stays so: a pod is not deleted, a route stays put.
 */
export async function consistently(
  check: () => unknown | Promise<unknown>,
  options: { forMs: number; everyMs?: number; what?: string },
): Promise<void> {
  const end = Date.now() + options.forMs;
  const every = options.everyMs ?? Math.max(10, Math.min(100, options.forMs / 5));
  for (let last = false; !last; ) {
    last = Date.now() >= end;
    let ok: unknown;
    try {
      ok = await check();
    } catch (err) {
      throw new Error(`${options.what ?? 'condition'} stopped holding: ${String(err)}`, { cause: err });
    }
    if (ok === false) throw new Error(`${options.what ?? 'condition'} stopped holding`);
    if (!last) await pause(Math.min(every, Math.max(0, end - Date.now())));
  }
}

/**
 * Waits until `read` returns the same value (Object.is) for `forMs` in a row, and returns
 * it: a log no one writes to any more, a count that stopped moving. Throws after
 * `timeoutMs` (default 10 s) if it never settles.
 */
export async function settled<T>(
  read: () => T | Promise<T>,
  options: { forMs: number; everyMs?: number; timeoutMs?: number; what?: string },
): Promise<T> {
  return eventually(
    async () => {
      const value = await read();
      await consistently(async () => Object.is(await read(), value), options);
      return { value };
    },
    { timeoutMs: options.timeoutMs ?? 10_000, intervalMs: 0, what: `${options.what ?? 'value'} to settle` },
  ).then((r) => r.value);
}

/**
 * Waits until the wall clock has moved past the moment of the call, and returns the new
 * time: a time strictly after everything written before and strictly before anything
 * written after (event times have millisecond precision).
 */
export async function nextMillisecond(): Promise<Date> {
  const now = Date.now();
  return eventually(() => Date.now() > now && new Date(), { intervalMs: 1, what: 'the clock to move' });
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
