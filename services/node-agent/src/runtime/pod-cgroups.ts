/**
 * Where the cgroups of a cluster's pods live and how they go away. The memory and CPU
 * limiters put one cgroup per container run, named `<pod uid>_<container>`, below
 * `kemu/<cluster>` in each hierarchy they use: the unified one (v2), and v1's `memory`
 * and `cpu`. A run removes its cgroup when it ends, but not when the node-agent was
 * gone at that moment (killed, restarted, `kemu down`), so a pod's cgroups are removed
 * again once the pod is gone, and those of pods that no longer exist on agent start.
 * A cgroup can only be removed with rmdir once no process is in it; one that still has
 * processes stays.
 */
import { existsSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The cgroup path, below each hierarchy, of a cluster's pod cgroups. */
export function podCgroupScope(cluster: string): string {
  return `kemu/${cluster}`;
}

/** The directories holding a cluster's pod cgroups, in every hierarchy the limiters may use. */
export function clusterCgroupDirs(cluster: string, root = '/sys/fs/cgroup'): string[] {
  const scope = podCgroupScope(cluster);
  return [join(root, scope), join(root, 'memory', scope), join(root, 'cpu', scope)];
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory());
  } catch {
    return [];
  }
}

/** Removes a cgroup and the cgroups below it, deepest first; false when one of them could not go. */
export function removeCgroupTree(dir: string): boolean {
  if (!existsSync(dir)) return true;
  let ok = true;
  for (const name of subdirs(dir)) ok = removeCgroupTree(join(dir, name)) && ok;
  try {
    rmdirSync(dir);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' && ok;
  }
  return ok;
}

/** The uid a pod cgroup name starts with (`<uid>_<container>`). */
function uidOf(name: string): string {
  const i = name.lastIndexOf('_');
  return i < 0 ? name : name.slice(0, i);
}

/**
 * Removes the cgroups of the pods `gone` says are gone (by uid); returns how many went.
 * A cgroup that still holds a process stays.
 */
export function removePodCgroups(cluster: string, gone: (uid: string) => boolean, root = '/sys/fs/cgroup'): number {
  let removed = 0;
  for (const dir of clusterCgroupDirs(cluster, root)) {
    for (const name of subdirs(dir)) {
      if (gone(uidOf(name)) && removeCgroupTree(join(dir, name))) removed++;
    }
  }
  return removed;
}
