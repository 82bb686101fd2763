/**
 * The cgroup file-system steps the memory and CPU limiters share: which hierarchy
 * offers a controller (v2 unified, else v1's per-controller one), and making a run's
 * cgroup with the controller passed down to it (v2 needs `+<controller>` in every
 * ancestor's `cgroup.subtree_control`).
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

function canMakeDir(parent: string): boolean {
  const probe = join(parent, `kemu-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

/**
 * The hierarchy under `root` where `controller` can be used: 'cgroup2' (unified, with the
 * controller listed), 'cgroup1' (`root/<controller>` holding `v1File`), or undefined.
 */
export function cgroupVersionFor(root: string, controller: string, v1File: string): 'cgroup2' | 'cgroup1' | undefined {
  const controllers = join(root, 'cgroup.controllers');
  if (existsSync(controllers) && readFileSync(controllers, 'utf8').split(/\s+/).includes(controller)) {
    if (canMakeDir(root)) return 'cgroup2';
  }
  const v1 = join(root, controller);
  if (existsSync(join(v1, v1File)) && canMakeDir(v1)) return 'cgroup1';
  return undefined;
}

function enableController(dir: string, controller: string): void {
  try {
    writeFileSync(join(dir, 'cgroup.subtree_control'), `+${controller}`);
  } catch {
    // Enabled already or not allowed; writing the limit file afterwards tells.
  }
}

/** Makes the cgroup `dir` below `root`; on v2 every cgroup from the root down passes `controller` on. */
export function makeCgroup(root: string, dir: string, v2: boolean, controller: string): void {
  if (v2) {
    let parent = root;
    enableController(parent, controller);
    for (const part of relative(root, dirname(dir)).split(sep).filter(Boolean)) {
      parent = join(parent, part);
      mkdirSync(parent, { recursive: true });
      enableController(parent, controller);
    }
  }
  mkdirSync(dir, { recursive: true });
}
