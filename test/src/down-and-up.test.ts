/**
 * `kemu down` leaves no process, netns, link or address of the cluster behind, and a
 * second `up` works.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
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
  return found;
}

describe('kemu down', () => {
  it('leaves nothing behind and allows a second up', async () => {
    if (missing) throw new Error(`cannot run the end-to-end suite: ${missing}`);
    const name = `down${randomBytes(2).toString('hex')}`;
    const first = await startNamedCluster({ name, nodes: 2 });
    const again = await first.kemu(['up', '--nodes', '2', '--name', name]);
    expect(again.code).toBe(0);
    expect(`${again.stdout}${again.stderr}`).toMatch(/already up/);
    await first.kubectlOk(['run', 'p1', '--image=nginx', '--restart=Never']);
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
