import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withBuildLock } from './build-lock.js';

describe('withBuildLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs one holder at a time and removes the lock after', async () => {
    const lock = join(dir, 'locks', 'workload.lock');
    const log: string[] = [];
    const job = (name: string) =>
      withBuildLock(lock, async () => {
        log.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 50));
        log.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([job('a'), job('b'), job('c')])).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i]?.replace(' in', ' out'));
    await expect(readFile(lock)).rejects.toThrow(/ENOENT/);
  });

  it('takes over a lock whose holder died, and releases it when the work throws', async () => {
    const lock = join(dir, 'busybox.lock');
    const dead = spawnSync('true').pid as number;
    await writeFile(lock, JSON.stringify({ pid: dead }));
    await expect(withBuildLock(lock, async () => 'built')).resolves.toBe('built');
    await expect(
      withBuildLock(lock, async () => {
        throw new Error('copy failed');
      }),
    ).rejects.toThrow('copy failed');
    await expect(readFile(lock)).rejects.toThrow(/ENOENT/);
  });
});
