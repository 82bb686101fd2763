import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupPaths, containerUsage, processTreeUsage } from './container-usage.js';

describe('container usage', () => {
  it('reads cgroup paths by controller, v1 lists and the v2 line', () => {
    const paths = cgroupPaths('4:memory:/kemu/a_b\n2:cpu,cpuacct:/kemu/a_b\n0::/unified\n');
    expect(paths.get('memory')).toBe('/kemu/a_b');
    expect(paths.get('cpuacct')).toBe('/kemu/a_b');
    expect(paths.get('cpu')).toBe('/kemu/a_b');
    expect(paths.get('')).toBe('/unified');
  });

  it('measures a container from its own v1 cgroup: cpuacct.usage and usage minus inactive file', () => {
    const root = mkdtempSync(join(tmpdir(), 'kemu-usage-'));
    try {
      const proc = join(root, 'proc');
      const cgroup = join(root, 'cgroup');
      mkdirSync(join(proc, 'self'), { recursive: true });
      mkdirSync(join(proc, '42'), { recursive: true });
      writeFileSync(join(proc, 'self', 'cgroup'), '4:memory:/agent\n2:cpuacct:/\n');
      writeFileSync(join(proc, '42', 'cgroup'), '4:memory:/agent/c1\n2:cpuacct:/c1\n');
      mkdirSync(join(cgroup, 'cpuacct', 'c1'), { recursive: true });
      mkdirSync(join(cgroup, 'memory', 'agent', 'c1'), { recursive: true });
      writeFileSync(join(cgroup, 'cpuacct', 'c1', 'cpuacct.usage'), '2500000000\n');
      writeFileSync(join(cgroup, 'memory', 'agent', 'c1', 'memory.usage_in_bytes'), '10000\n');
      writeFileSync(join(cgroup, 'memory', 'agent', 'c1', 'memory.stat'), 'cache 5\ntotal_inactive_file 3000\n');
      expect(containerUsage(42, { proc, cgroup })).toEqual({ cpuSeconds: 2.5, memoryBytes: 7000 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('falls back to the process tree from /proc, counting a busy child', async () => {
    const child = spawn('sh', ['-c', 'sh -c "while :; do :; done" & wait'], { stdio: 'ignore', detached: true });
    try {
      const pid = child.pid as number;
      const deadline = Date.now() + 10_000;
      let usage = processTreeUsage(pid);
      while ((usage?.cpuSeconds ?? 0) < 0.1 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        usage = processTreeUsage(pid);
      }
      expect(usage?.cpuSeconds).toBeGreaterThanOrEqual(0.1);
      expect(usage?.memoryBytes).toBeGreaterThan(0);
      // Leaving out the root leaves nothing of its tree.
      expect(processTreeUsage(pid, undefined, new Set([pid]))).toEqual({ cpuSeconds: 0, memoryBytes: 0 });
      expect(processTreeUsage(2 ** 22 + 1)).toBeUndefined();
    } finally {
      // The shell and its busy child are one process group, ours.
      process.kill(-(child.pid as number), 'SIGKILL');
    }
  });
});
