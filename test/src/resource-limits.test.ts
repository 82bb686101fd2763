/**
 * limits.cpu end to end on a real 1-node kemu cluster: two pods spin threads
 * (KEMU_BURN_CPU); the one with limits.cpu 200m sits in a CFS-throttled cgroup and
 * uses at most 0.3 of a core over a 2 s window measured from /proc/<pid>/stat, the other
 * (two threads, as the 2-core machine is shared) uses more than the limit would allow
 * (1.25× it at least: on a loaded machine two threads may get little more than 0.3).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { useCluster } from './use-cluster.js';
import { describe, expect, it } from 'vitest';

const burnYaml = `
apiVersion: v1
kind: Pod
metadata: { name: burn-limited }
spec:
  containers:
  - name: burn
    image: nginx
    env: [{ name: KEMU_BURN_CPU, value: "1" }]
    resources: { limits: { cpu: 200m } }
---
apiVersion: v1
kind: Pod
metadata: { name: burn-free }
spec:
  containers:
  - name: burn
    image: nginx
    env: [{ name: KEMU_BURN_CPU, value: "2" }]
`;

/** CPU seconds (user + system, every thread) a process used so far, from /proc/<pid>/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('resource limits', () => {
  const cluster = useCluster({ name: 'res', nodes: 1 });

  async function pidOf(pod: string): Promise<number> {
    const id = await cluster.kubectlOk([
      'get',
      'pod',
      pod,
      '-o',
      'jsonpath={.status.containerStatuses[0].containerID}',
    ]);
    const pid = Number(/^kemu:\/\/(\d+)$/.exec(id.trim())?.[1]);
    expect(pid).toBeGreaterThan(0);
    return pid;
  }

  it('holds a container with limits.cpu 200m to at most 0.3 of a core; one without a limit uses more', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: burnYaml });
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/burn-limited', 'pod/burn-free', '--timeout=60s']);
    const limited = await pidOf('burn-limited');
    const free = await pidOf('burn-free');

    // The limited container's process sits in a cgroup with the kubelet's quota.
    const cgroups = await readFile(`/proc/${limited}/cgroup`, 'utf8');
    const v1 = /^\d+:cpu(?:,cpuacct)?:(\/kemu\/.+)$/m.exec(cgroups)?.[1];
    const v2 = /^0::(\/kemu\/.+)$/m.exec(cgroups)?.[1];
    if (v1) {
      expect((await readFile(`/sys/fs/cgroup/cpu${v1}/cpu.cfs_quota_us`, 'utf8')).trim()).toBe('20000');
      expect((await readFile(`/sys/fs/cgroup/cpu${v1}/cpu.cfs_period_us`, 'utf8')).trim()).toBe('100000');
    } else {
      expect(v2).toBeDefined();
      expect((await readFile(`/sys/fs/cgroup${v2}/cpu.max`, 'utf8')).trim()).toBe('20000 100000');
    }
    expect(await readFile(`/proc/${free}/cgroup`, 'utf8')).not.toMatch(/\/kemu\//);

    const [l0, f0] = [await cpuSeconds(limited), await cpuSeconds(free)];
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 2_000));
    const [l1, f1] = [await cpuSeconds(limited), await cpuSeconds(free)];
    const seconds = (Date.now() - t0) / 1000;
    const limitedCores = (l1 - l0) / seconds;
    const freeCores = (f1 - f0) / seconds;
    expect(limitedCores).toBeLessThanOrEqual(0.3);
    expect(limitedCores).toBeGreaterThan(0.05);
    // More than the 200m quota could ever give (with margin), however busy the shared machine is.
    expect(freeCores).toBeGreaterThan(0.25);
    expect(freeCores).toBeGreaterThan(limitedCores * 1.2);

    // Deleting the pod removes its cgroup.
    const dir = v1 ? `/sys/fs/cgroup/cpu${v1}` : `/sys/fs/cgroup${v2}`;
    await cluster.kubectlOk(['delete', 'pod', 'burn-limited', 'burn-free', '--timeout=30s']);
    expect(existsSync(dir)).toBe(false);
  });
});
