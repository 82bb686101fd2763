/**
 * Removing images nothing uses: a rebuilt kind (a host file or the recipe changed) leaves
 * its old root filesystem behind, and the store is shared by every cluster on the
 * machine, so it is pruned here rather than by `kemu down`. An image stays while a ref
 * names it or any mounted overlay still has it as its lower directory (a container of a
 * running cluster started before the rebuild).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Removes the images of `kind` in the store `dir` that no ref names and no mount uses;
 * returns their digests. Call it holding the kind's build lock: a build of this kind
 * between renaming its image into place and writing its ref would lose the image.
 */
export async function pruneImages(dir: string, kind: string): Promise<string[]> {
  const refsDir = join(dir, 'refs');
  const named = new Set<string>();
  for (const f of await readdir(refsDir).catch(() => [] as string[])) {
    if (!f.endsWith('.json')) continue;
    try {
      named.add((JSON.parse(await readFile(join(refsDir, f), 'utf8')) as { digest: string }).digest);
    } catch {
      // Unreadable: its images are kept (only refs of other kinds are written meanwhile).
    }
  }
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  const removed: string[] = [];
  for (const digest of await readdir(join(dir, 'sha256')).catch(() => [] as string[])) {
    const path = join(dir, 'sha256', digest);
    if (named.has(digest) || mounts.includes(path)) continue;
    const manifest = await readFile(join(path, 'manifest.json'), 'utf8').catch(() => '{}');
    if ((JSON.parse(manifest) as { kind?: string }).kind !== kind) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(digest);
  }
  return removed;
}
