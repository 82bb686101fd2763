import { cpuUsage } from 'node:process';
import { describe, expect, it } from 'vitest';
import { startCpuBurner } from './cpu-burner.js';

describe('startCpuBurner', () => {
  it('spins a thread that uses CPU while the main thread stays free, until stopped', async () => {
    const before = cpuUsage();
    const t0 = Date.now();
    const stop = startCpuBurner(1);
    // The main thread still runs timers on time.
    await new Promise((r) => setTimeout(r, 500));
    const late = Date.now() - t0 - 500;
    const used = cpuUsage(before);
    await stop();
    expect(late).toBeLessThan(200);
    // At least a fifth of a core over the half second (the machine is shared).
    expect((used.user + used.system) / 1000).toBeGreaterThan(100);
  });
});
