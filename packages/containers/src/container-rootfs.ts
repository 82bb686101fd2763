/**
 * A container's copy-on-write root filesystem: an overlay with the image as its read-only
 * lower directory and the container's own upper and work directories, so writes stay in
 * the container and vanish with it while the image is shared. Where overlayfs cannot be
 * mounted (an upper directory on overlayfs itself, an old kernel) the image is copied
 * instead, which is slower and larger but behaves the same.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RuntimeCommandError } from './errors.js';
import { runCommand } from './run-command.js';

/** How a root filesystem was made. */
export type RootfsMode = 'overlay' | 'copy';

/** The root filesystem of the container whose directory is `dir`. */
export function rootfsPath(dir: string): string {
  return join(dir, 'rootfs');
}

/** Tells whether `path` is a mount point (per /proc/self/mountinfo). */
export async function isMountPoint(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const escaped = path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return info.split('\n').some((line) => line.split(' ')[4] === escaped);
}

/** The mount options of the overlay of the container in `dir` over `lower`. */
export function overlayOptions(dir: string, lower: string): string {
  return `lowerdir=${lower},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`;
}

/** Makes the empty directories of an overlay root filesystem (its mount point, upper and work). */
export async function prepareOverlay(dir: string): Promise<void> {
  await Promise.all(['rootfs', 'upper', 'work'].map((d) => mkdir(join(dir, d), { recursive: true })));
}

/** Mounts `dir/rootfs` as an overlay over `lower` (or copies `lower` when overlayfs fails). */
export async function mountRootfs(dir: string, lower: string): Promise<RootfsMode> {
  const rootfs = rootfsPath(dir);
  await prepareOverlay(dir);
  try {
    await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', overlayOptions(dir, lower), rootfs]);
    return 'overlay';
  } catch (err) {
    if (!(err instanceof RuntimeCommandError) || err.exitCode === null) throw err;
    await runCommand('cp', ['-a', `${lower}/.`, `${rootfs}/`], { timeoutMs: 120_000 });
    return 'copy';
  }
}

/** Unmounts and removes the root filesystem and its layers; a lazy unmount when it is busy. */
export async function removeRootfs(dir: string): Promise<void> {
  const rootfs = rootfsPath(dir);
  if (await isMountPoint(rootfs)) {
    try {
      await runCommand('umount', [rootfs]);
    } catch {
      await runCommand('umount', ['-l', rootfs]);
    }
  }
  // Never recurse into a tree that is still mounted: the mount would stay behind, emptied.
  if (await isMountPoint(rootfs)) throw new RuntimeCommandError(`umount ${rootfs}`, null, 'still mounted');
  await rm(dir, { recursive: true, force: true });
}
