import { describe, expect, it } from 'vitest';
import { consistently, eventually, nextMillisecond, settled } from './poll.js';

describe('eventually', () => {
  it('returns the first value the check yields, and names what it waited for on timeout', async () => {
    let n = 0;
    expect(await eventually(() => ++n >= 3 && n, { intervalMs: 1 })).toBe(3);
    await expect(eventually(() => false, { timeoutMs: 30, intervalMs: 5, what: 'the moon' })).rejects.toThrow(
      'timed out waiting for the moon',
    );
  });
});

describe('consistently', () => {
  it('checks for the whole period, at least at its start and its end', async () => {
    const calls: number[] = [];
    const start = Date.now();
    await consistently(() => calls.push(Date.now() - start), { forMs: 60, everyMs: 10 });
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.at(-1)).toBeGreaterThanOrEqual(60);
  });

  it('fails at the first check that returns false or throws, naming what stopped holding', async () => {
    let n = 0;
    await expect(consistently(() => ++n < 3, { forMs: 1_000, everyMs: 5, what: 'quiet' })).rejects.toThrow(
      'quiet stopped holding',
    );
    expect(n).toBe(3);
    await expect(
      consistently(
        () => {
          throw new Error('boom');
        },
        { forMs: 50, what: 'calm' },
      ),
    ).rejects.toThrow('calm stopped holding: Error: boom');
  });
});

describe('settled', () => {
  it('returns a value once it stops changing, and fails when it never does', async () => {
    let n = 0;
    expect(await settled(() => Math.min(++n, 5), { forMs: 30, everyMs: 5 })).toBe(5);
    await expect(settled(() => ++n, { forMs: 20, everyMs: 5, timeoutMs: 100, what: 'counter' })).rejects.toThrow(
      'timed out waiting for counter to settle',
    );
  });
});

describe('nextMillisecond', () => {
  it('returns a time after the call', async () => {
    const before = Date.now();
    expect((await nextMillisecond()).getTime()).toBeGreaterThan(before);
  });
});
