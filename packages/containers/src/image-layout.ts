/**
 * A recipe turned into the exact list of entries of a root filesystem: directories,
 * written files, host files to copy and symlinks. Host binaries bring their `ldd`
 * closure, placed where the loader looks for it; directory symlinks on the way (`/lib` →
 * `usr/lib` on a merged-/usr Debian) are reproduced, so paths baked into binaries (the
 * ELF interpreter /lib64/ld-linux-x86-64.so.2) resolve inside the image as on the host.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { ImageBuildError, RuntimeCommandError } from './errors.js';
import type { ImageRecipe } from './image-recipes.js';
import { runCommand } from './run-command.js';
import { pathExists } from './path-exists.js';

/** One entry of a root filesystem. */
export type ImageEntry =
  | { type: 'dir'; path: string; mode: number }
  | { type: 'file'; path: string; mode: number; content: string }
  | { type: 'copy'; path: string; source: string }
  | { type: 'symlink'; path: string; target: string };

/** The libraries `ldd` lists for a binary (absolute paths as the loader resolves them). */
export function parseLddOutput(output: string): string[] {
  const libs: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const arrow = line.indexOf('=>');
    if (arrow >= 0) {
      const target = line.slice(arrow + 2).trim();
      if (target.startsWith('not found')) throw new ImageBuildError(`missing library: ${line}`);
      const path = target.split(' (')[0]?.trim() ?? '';
      if (path.startsWith('/')) libs.push(path);
    } else if (line.startsWith('/')) {
      libs.push(line.split(' (')[0]?.trim() ?? line);
    }
  }
  return libs;
}

/** The shared libraries of a binary; empty for a static one. */
export async function libraryClosure(binary: string): Promise<string[]> {
  try {
    return parseLddOutput((await runCommand('ldd', [binary])).stdout);
  } catch (err) {
    if (err instanceof RuntimeCommandError && /not a dynamic executable|statically linked/.test(err.stderr)) return [];
    throw new ImageBuildError(`cannot list the libraries of ${binary}`, { cause: err });
  }
}

/** The applets a busybox binary provides. */
export async function busyboxApplets(busybox: string): Promise<string[]> {
  const { stdout } = await runCommand(busybox, ['--list']);
  return stdout
    .split('\n')
    .map((a) => a.trim())
    .filter((a) => a !== '' && a !== 'busybox' && !a.includes('/'));
}

/**
 * Where a host file goes in the image, and the directory symlinks to reproduce on the way:
 * each path component that is a symlink on the host becomes the same symlink in the image.
 */
async function placeHostPath(path: string, links: Map<string, string>): Promise<string> {
  let current = '/';
  const parts = path.split('/').filter((p) => p !== '');
  for (const part of parts.slice(0, -1)) {
    const next = join(current, part);
    const st = await lstat(next);
    if (st.isSymbolicLink()) {
      const target = await readlink(next);
      links.set(next, target);
      current = await realpath(resolve(dirname(next), target));
    } else {
      current = next;
    }
  }
  return join(current, basename(path));
}

/** Expands a recipe into its entries (sorted by path, so the digest does not depend on order). */
export async function imageEntries(recipe: ImageRecipe, options: { busybox?: string } = {}): Promise<ImageEntry[]> {
  const entries = new Map<string, ImageEntry>();
  const links = new Map<string, string>();
  for (const d of recipe.dirs) entries.set(d.path, { type: 'dir', ...d });
  for (const f of recipe.files) entries.set(f.path, { type: 'file', ...f });
  for (const h of recipe.hostFiles) {
    if (await pathExists(h)) entries.set(h, { type: 'copy', path: h, source: h });
  }
  const binaries = [...recipe.binaries];
  const busybox = options.busybox ?? '/bin/busybox';
  if (recipe.busybox) binaries.push({ source: busybox, path: '/bin/busybox' });
  for (const b of binaries) {
    if (!(await pathExists(b.source)))
      throw new ImageBuildError(`image ${recipe.kind} needs ${b.source}, which is missing`);
    entries.set(b.path, { type: 'copy', path: b.path, source: b.source });
    for (const lib of await libraryClosure(b.source)) {
      const at = await placeHostPath(lib, links);
      entries.set(at, { type: 'copy', path: at, source: lib });
    }
  }
  for (const library of recipe.libraries) {
    if (!(await pathExists(library))) continue;
    for (const lib of [library, ...(await libraryClosure(library))]) {
      const at = await placeHostPath(lib, links);
      entries.set(at, { type: 'copy', path: at, source: lib });
    }
  }
  if (recipe.busybox) {
    const provided = new Set(binaries.map((b) => posix.basename(b.path)));
    for (const applet of await busyboxApplets(busybox)) {
      const path = `/bin/${applet}`;
      if (!provided.has(applet) && !entries.has(path)) entries.set(path, { type: 'symlink', path, target: 'busybox' });
    }
  }
  for (const [path, target] of links) entries.set(path, { type: 'symlink', path, target });
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
