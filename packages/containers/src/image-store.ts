/**
 * The image store: each root filesystem is built once from this machine's files and kept
 * under `<dir>/sha256/<digest>/rootfs`, the digest being the hash of everything in it
 * (paths, modes, link targets, file contents), so identical builds share one directory
 * and a changed host file gives a new image instead of altering one in use. A ref file
 * per kind (`<dir>/refs/<kind>.json`) maps the recipe's inputs (host file identities) to
 * the digest, so later lookups only stat files: the ref also keeps the recipe's expanded
 * entries (the ldd closures, busybox's applets), so a lookup whose recipe and host files
 * are unchanged spawns no ldd (about a hundred short processes per image). One process builds a kind at a time (a
 * lock file per kind; the others wait and find it built), into a private temporary folder
 * renamed into place, so a build killed halfway leaves nothing a reader could take.
 *
 * Workload containers run kemu's pod-workload from this checkout: services/pod-workload,
 * the workspace packages and node_modules are mounted read-only at their own paths (and
 * nothing else of the checkout, so kemu's state stays out of reach).
 *
 * The store lives in /var/lib/kemu/image-store (KEMU_IMAGE_STORE elsewhere): built once
 * per machine and shared by every cluster, node, KEMU_HOME (each test cluster has its own)
 * and checkout. Sharing is safe because images are content-addressed and hold only this
 * machine's Debian files, never kemu's state or code (the workload code is mounted).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { withBuildLock } from './build-lock.js';
import { ImageBuildError } from './errors.js';
import { pruneImages } from './image-prune.js';
import { type ImageEntry, imageEntries } from './image-layout.js';
import { type ImageRecipe, RECIPE_VERSION, imageRecipe } from './image-recipes.js';
import { type ImageDefinition, imageDefinition, type RootfsKind, WORKLOAD_DIR } from './image-reference.js';
import { pathExists } from './path-exists.js';

/** A host path mounted into every container of an image. */
export interface ImageMount {
  destination: string;
  source: string;
  readonly: boolean;
}

/** A resolved image, ready to be a container's lower layer. */
export interface Image {
  definition: ImageDefinition;
  /** sha256 of the root filesystem's content. */
  digest: string;
  /** Read-only lower directory of the containers of this image. */
  rootfs: string;
  /** Mounts the image needs (the workload code, read-only). */
  mounts: ImageMount[];
}

/** Builds and finds images. */
export interface ImageStore {
  readonly dir: string;
  /** Resolves a reference to its image, building its root filesystem on first use. */
  resolve(reference: string, options?: { hasCommand?: boolean; hasArgs?: boolean }): Promise<Image>;
  /** The root filesystem of a kind: its digest and directory (built on first use). */
  rootfs(kind: RootfsKind): Promise<{ digest: string; rootfs: string }>;
}

/** Settings of the image store. */
export interface ImageStoreOptions {
  dir: string;
  /** services/pod-workload of this checkout; its dist/ is mounted read-only into workload containers. */
  workloadDir: string;
  nodeBinary?: string;
  busybox?: string;
}

/** The store directory kemu uses: `$KEMU_IMAGE_STORE`, else /var/lib/kemu/image-store. */
export function imageStoreDir(env: NodeJS.ProcessEnv): string {
  return env.KEMU_IMAGE_STORE || '/var/lib/kemu/image-store';
}

async function inputKey(kind: RootfsKind, entries: ImageEntry[]): Promise<string> {
  const h = createHash('sha256').update(`recipe ${RECIPE_VERSION} ${kind}\n`);
  for (const e of entries) {
    if (e.type === 'copy') {
      const st = await stat(e.source);
      h.update(`copy ${e.path} ${e.source} ${st.ino} ${st.size} ${st.mtimeMs} ${st.mode}\n`);
    } else {
      h.update(`${JSON.stringify(e)}\n`);
    }
  }
  return h.digest('hex');
}

/** Writes the entries under `root`, returning the content digest. */
async function writeEntries(root: string, entries: ImageEntry[]): Promise<string> {
  const h = createHash('sha256');
  for (const e of entries) {
    const at = join(root, e.path);
    await mkdir(dirname(at), { recursive: true });
    if (e.type === 'dir') {
      await mkdir(at, { recursive: true });
      await chmod(at, e.mode);
      h.update(`dir ${e.path} ${e.mode.toString(8)}\n`);
    } else if (e.type === 'symlink') {
      await symlink(e.target, at);
      h.update(`symlink ${e.path} ${e.target}\n`);
    } else if (e.type === 'file') {
      await writeFile(at, e.content, { mode: e.mode });
      await chmod(at, e.mode);
      h.update(`file ${e.path} ${e.mode.toString(8)} ${createHash('sha256').update(e.content).digest('hex')}\n`);
    } else {
      const mode = (await stat(e.source)).mode & 0o7777;
      await copyFile(e.source, at);
      await chmod(at, mode);
      const content = createHash('sha256')
        .update(await readFile(at))
        .digest('hex');
      h.update(`file ${e.path} ${mode.toString(8)} ${content}\n`);
    }
  }
  return h.digest('hex');
}

/** A ref file: the input key and digest, and the expansion of the recipe (`recipe` names it) the key was made from. */
interface Ref {
  key: string;
  digest: string;
  recipe?: string;
  entries?: ImageEntry[];
}

async function readRef(path: string): Promise<Ref | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Ref;
  } catch {
    return undefined;
  }
}

/** Replaces a ref file atomically. */
async function writeRef(path: string, ref: Ref): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(ref));
  await rename(tmp, path);
}

/** Names a recipe as expanded here: the recipe, the busybox used and which of its optional host files exist. */
async function recipeId(recipe: ImageRecipe, busybox: string | undefined): Promise<string> {
  const present = [];
  for (const h of recipe.hostFiles) if (await pathExists(h)) present.push(h);
  return createHash('sha256').update(JSON.stringify({ recipe, busybox, present })).digest('hex');
}

/**
 * The entries a ref was made from, when they still hold: same recipe and every copied
 * host file (binaries, their libraries) has the identity it had (the key matches).
 */
async function cachedEntries(
  ref: Ref | undefined,
  kind: RootfsKind,
  recipe: string,
): Promise<ImageEntry[] | undefined> {
  if (!ref?.entries || ref.recipe !== recipe) return undefined;
  try {
    return (await inputKey(kind, ref.entries)) === ref.key ? ref.entries : undefined;
  } catch {
    return undefined; // A host file is gone: expand the recipe again (which says what is missing).
  }
}

/** Opens the image store in `options.dir` (created on first build). */
export function createImageStore(options: ImageStoreOptions): ImageStore {
  const built = new Map<RootfsKind, Promise<{ digest: string; rootfs: string }>>();

  async function build(kind: RootfsKind): Promise<{ digest: string; rootfs: string }> {
    const recipe = imageRecipe(kind, options.nodeBinary ? { nodeBinary: options.nodeBinary } : {});
    const refPath = join(options.dir, 'refs', `${kind}.json`);
    const id = await recipeId(recipe, options.busybox);
    const cached = await cachedEntries(await readRef(refPath), kind, id);
    const entries = cached ?? (await imageEntries(recipe, options.busybox ? { busybox: options.busybox } : {}));
    const key = await inputKey(kind, entries);
    const current = async () => {
      const ref = await readRef(refPath);
      return ref?.key === key && (await pathExists(join(options.dir, 'sha256', ref.digest, 'rootfs')))
        ? { digest: ref.digest, rootfs: join(options.dir, 'sha256', ref.digest, 'rootfs') }
        : undefined;
    };
    // Looked up before and again under the lock: another process may have built it while this one waited.
    const found = await current();
    if (!found) {
      return withBuildLock(
        join(options.dir, 'locks', `${kind}.lock`),
        async () => (await current()) ?? write(kind, entries, key, id),
      );
    }
    // A ref written without its entries (or for another recipe expansion) gets them, so the next lookup needs no ldd.
    if (!cached) await writeRef(refPath, { key, digest: found.digest, recipe: id, entries }).catch(() => undefined);
    return found;
  }

  async function write(
    kind: RootfsKind,
    entries: ImageEntry[],
    key: string,
    recipe: string,
  ): Promise<{ digest: string; rootfs: string }> {
    const refPath = join(options.dir, 'refs', `${kind}.json`);
    const tmp = join(options.dir, 'tmp', `${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(join(tmp, 'rootfs'), { recursive: true });
      await chmod(join(tmp, 'rootfs'), 0o755);
      const digest = await writeEntries(join(tmp, 'rootfs'), entries);
      await writeFile(join(tmp, 'manifest.json'), `${JSON.stringify({ kind, digest, entries }, null, 1)}\n`);
      const final = join(options.dir, 'sha256', digest);
      await mkdir(dirname(final), { recursive: true });
      if (!(await pathExists(final))) {
        try {
          await rename(tmp, final);
        } catch (err) {
          // Another process renamed the same image into place first: theirs is identical.
          if (!(await pathExists(final))) throw err;
        }
      }
      await writeRef(refPath, { key, digest, recipe, entries });
      await pruneImages(options.dir, kind);
      return { digest, rootfs: join(final, 'rootfs') };
    } catch (err) {
      throw err instanceof ImageBuildError
        ? err
        : new ImageBuildError(`cannot build image ${kind}: ${(err as Error).message}`, { cause: err });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  function rootfs(kind: RootfsKind): Promise<{ digest: string; rootfs: string }> {
    let p = built.get(kind);
    if (!p) {
      p = build(kind);
      built.set(kind, p);
      p.catch(() => built.delete(kind));
    }
    return p;
  }

  return {
    dir: options.dir,
    rootfs,
    async resolve(reference, resolveOptions = {}) {
      const definition = imageDefinition(reference, resolveOptions);
      const { digest, rootfs: dir } = await rootfs(definition.rootfs);
      if (definition.rootfs !== 'workload') return { definition, digest, rootfs: dir, mounts: [] };
      // The workload runs from this checkout, mounted read-only at its own path so its
      // module links resolve: services/pod-workload, the workspace packages and node_modules.
      const repo = dirname(dirname(options.workloadDir));
      const mounts: ImageMount[] = [];
      for (const source of [options.workloadDir, join(repo, 'packages'), join(repo, 'node_modules')]) {
        if (await pathExists(source)) mounts.push({ destination: source, source, readonly: true });
      }
      const entrypoint = definition.config.entrypoint.map((a) =>
        a.startsWith(WORKLOAD_DIR) ? join(options.workloadDir, a.slice(WORKLOAD_DIR.length)) : a,
      );
      return {
        definition: { ...definition, config: { ...definition.config, entrypoint } },
        digest,
        rootfs: dir,
        mounts,
      };
    },
  };
}
