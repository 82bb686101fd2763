import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterCgroupDirs, podCgroupScope, removeCgroupTree, removePodCgroups } from './pod-cgroups.js';

const root = '/sys/fs/cgroup';
/** The hierarchy this machine's limiters use for memory: unified (v2) or v1's memory controller. */
const hierarchy = existsSync(join(root, 'cgroup.controllers')) ? root : join(root, 'memory');
const cluster = `kt-cg-${process.pid}`;
const clusterDir = join(hierarchy, podCgroupScope(cluster));

describe('pod cgroups', () => {
  afterAll(() => {
    removeCgroupTree(clusterDir);
  });

  it('lists the cluster directory of every hierarchy the limiters use', () => {
    expect(clusterCgroupDirs('c1', '/r')).toEqual(['/r/kemu/c1', '/r/memory/kemu/c1', '/r/cpu/kemu/c1']);
  });

  it('removes the cgroups of gone pods only, and keeps one that still holds a process', async () => {
    const gone = randomUUID();
    const live = randomUUID();
    const busy = randomUUID();
    for (const name of [`${gone}_web`, `${gone}_sidecar`, `${live}_web`, `${busy}_web`]) {
      mkdirSync(join(clusterDir, name), { recursive: true });
    }
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => sleeper.once('spawn', r));
    writeFileSync(join(clusterDir, `${busy}_web`, 'cgroup.procs'), String(sleeper.pid));

    expect(removePodCgroups(cluster, (uid) => uid === gone || uid === busy)).toBe(2);
    expect(existsSync(join(clusterDir, `${gone}_web`))).toBe(false);
    expect(existsSync(join(clusterDir, `${gone}_sidecar`))).toBe(false);
    expect(existsSync(join(clusterDir, `${live}_web`))).toBe(true);
    expect(existsSync(join(clusterDir, `${busy}_web`))).toBe(true);

    sleeper.kill('SIGKILL');
    await new Promise((r) => sleeper.once('exit', r));
    expect(removeCgroupTree(clusterDir)).toBe(true);
    expect(existsSync(clusterDir)).toBe(false);
  });
});
