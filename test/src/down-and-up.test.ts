/**
 * `kemu down` leaves no process, netns, link, address or pod cgroup of the cluster
 * behind, and a second `up` works.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '@kemu/testkit';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { missingPrerequisite, runCommand, startNamedCluster } from './kemu-cluster.js';

const missing = missingPrerequisite();

async function leftovers(name: string): Promise<string[]> {
  const found: string[] = [];
  const netns = await runCommand('ip', ['netns', 'list']);
  for (const line of netns.stdout.split('\n')) if (line.startsWith(`kemu-${name}-`)) found.push(`netns ${line}`);
  const links = await runCommand('ip', ['-o', 'link', 'show']);
  for (const line of links.stdout.split('\n')) if (line.includes(`km-${name}`)) found.push(`link ${line.trim()}`);
  const ps = await runCommand('sh', ['-c', `grep -l "KEMU_CLUSTER=${name}" /proc/[0-9]*/environ 2>/dev/null || true`]);
  for (const file of ps.stdout.split('\n').filter(Boolean)) {
    const pid = file.split('/')[2];
    if (pid && Number(pid) !== process.pid) found.push(`process ${pid}`);
  }
  for (const dir of cgroupDirs(name)) if (existsSync(dir)) found.push(`cgroup ${dir}`);
  return found;
}

/** Where the node-agents put the cluster's pod cgroups: v2 unified, v1 memory and cpu. */
function cgroupDirs(name: string): string[] {
  return ['', 'memory', 'cpu'].map((h) => join('/sys/fs/cgroup', h, 'kemu', name));
}

/** The pod cgroups of the cluster that exist now (`<pod uid>_<container>`). */
function podCgroups(name: string): string[] {
  return cgroupDirs(name).flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.includes('_')) : []));
}

const limitedPodYaml = `apiVersion: v1
kind: Pod
metadata:
  name: limited
spec:
  containers:
  - name: nginx
    image: nginx
    resources:
      limits:
        memory: 64Mi
        cpu: 200m
`;

describe('kemu down', () => {
  it('leaves nothing behind and allows a second up', async () => {
    if (missing) throw new Error(`cannot run the end-to-end suite: ${missing}`);
    const name = `down${randomBytes(2).toString('hex')}`;
    const first = await startNamedCluster({ name, nodes: 2 });
    const again = await first.kemu(['up', '--nodes', '2', '--name', name]);
    expect(again.code).toBe(0);
    expect(`${again.stdout}${again.stderr}`).toMatch(/already up/);
    await first.kubectlOk(['run', 'p1', '--image=nginx', '--restart=Never']);
    // A pod with limits runs in cgroups of its own, which must not outlive the cluster.
    await first.kubectlOk(['apply', '-f', '-'], { input: limitedPodYaml });
    await eventually(async () => (podCgroups(name).length >= 2 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'cgroups of the limited pod',
    });
    expect((await first.down()).code).toBe(0);
    expect(await leftovers(name)).toEqual([]);

    const second = await startNamedCluster({ name, nodes: 2 });
    try {
      const nodes = await second.kubectlOk(['get', 'nodes']);
      expect(nodes).toMatch(/node-1\s+Ready/);
      expect(nodes).toMatch(/node-2\s+Ready/);
    } finally {
      expect((await second.down()).code).toBe(0);
      expect((await second.down()).code).toBe(0);
    }
    expect(await leftovers(name)).toEqual([]);
  });
});
