import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCpuLimiter } from './cpu-limit.js';

/** CPU seconds (user + system) a process used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A real process that spins one core. */
function burner() {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  return {
    pid: child.pid as number,
    kill: () => child.kill('SIGKILL'),
    exited: new Promise((r) => child.once('exit', r)),
  };
}

describe('cpu limits with a cgroup', () => {
  it("holds a spinning process to its limit with this machine's cgroup", async () => {
    const limiter = createCpuLimiter();
    if (limiter.mechanism === 'none') throw new Error('no cgroup cpu controller on this machine');
    const p = burner();
    const guard = limiter.limit(`test-cpu-${process.pid}`, p.pid, 200);
    try {
      expect(guard).toBeDefined();
      const cgroups = readFileSync(`/proc/${p.pid}/cgroup`, 'utf8');
      expect(cgroups).toMatch(new RegExp(`kemu/test-cpu-${process.pid}`));
      await new Promise((r) => setTimeout(r, 300));
      const before = cpuSeconds(p.pid);
      await new Promise((r) => setTimeout(r, 1_500));
      const used = (cpuSeconds(p.pid) - before) / 1.5;
      expect(used).toBeLessThanOrEqual(0.3);
      expect(used).toBeGreaterThan(0.05);
    } finally {
      p.kill();
      await p.exited;
      guard?.stop();
    }
  });
});
