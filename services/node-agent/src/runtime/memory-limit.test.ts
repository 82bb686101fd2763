import { spawn } from 'node:child_process';
import { consistently, eventually } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { createMemoryLimiter, detectMemoryMechanism, treeRss } from './memory-limit.js';

/** A real process that allocates and touches `mb` MiB after a short pause, in its own process group. */
function hog(mb: number) {
  const script = `setTimeout(() => { const k = []; for (let i = 0; i < ${mb}; i++) k.push(Buffer.alloc(1 << 20, 1)); setInterval(() => k.length, 1000); }, 300);`;
  const child = spawn(process.execPath, ['-e', script], { detached: true, stdio: 'ignore' });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  return { pid: child.pid as number, exited, kill: () => child.kill('SIGKILL') };
}

describe('memory limits', () => {
  it('detects a mechanism for this machine', () => {
    expect(['cgroup2', 'cgroup1', 'watchdog']).toContain(detectMemoryMechanism());
  });

  it('measures the resident set of a process tree', () => {
    expect(treeRss(process.pid)).toBeGreaterThan(10 * 1024 * 1024);
    expect(treeRss(2 ** 22 + 7)).toBe(0);
  });

  it('kills a process over its limit with the RSS watchdog and says OOMKilled', async () => {
    const limiter = createMemoryLimiter({ mechanism: 'watchdog', pollMs: 50 });
    const p = hog(200);
    const guard = limiter.limit('test-watchdog', p.pid, 120 * 1024 * 1024);
    const exit = await p.exited;
    guard.stop();
    expect(exit.signal).toBe('SIGKILL');
    expect(guard.oomKilled()).toBe(true);
  });

  it("kills a process over its limit with this machine's mechanism and says OOMKilled", async () => {
    const limiter = createMemoryLimiter();
    const p = hog(200);
    const guard = limiter.limit(`test-${process.pid}`, p.pid, 100 * 1024 * 1024);
    const exit = await p.exited;
    guard.stop();
    expect(exit.signal).toBe('SIGKILL');
    expect(guard.oomKilled()).toBe(true);
  });

  it('leaves a process under its limit alone', async () => {
    const limiter = createMemoryLimiter({ mechanism: 'watchdog', pollMs: 50 });
    const p = hog(10);
    const guard = limiter.limit('test-small', p.pid, 500 * 1024 * 1024);
    await consistently(() => !guard.oomKilled(), { forMs: 800, what: 'a process under its limit left alone' });
    guard.stop();
    p.kill();
    await eventually(async () => (await Promise.race([p.exited, Promise.resolve(undefined)])) !== undefined);
  });
});
