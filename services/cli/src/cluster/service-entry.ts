/**
 * Which file of a service the CLI runs: `dist/main.bundle.js`, the one-file bundle `pnpm
 * build` makes (infra/scripts/bundle-services.mjs), when it exists, else tsc's
 * `dist/main.js`. Ten processes compiling ~450 modules each were most of `kemu up`'s time;
 * a bundle starts in under half the CPU. The supervisor runs the CLI's bundle for the same
 * reason (the `kemu` command itself runs dist/main.js, which `kemu chaos` needs: its probe
 * worker is a file of its own). A bundle older than any file it was made from (a
 * `tsc --build` alone after an edit) would run old code, so `kemu up` refuses one
 * (`staleBundles`).
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** The bundle of a service, beside its tsc output so paths relative to `import.meta.url` hold. */
export function bundleFile(servicesDir: string, service: string): string {
  return join(servicesDir, service, 'dist', 'main.bundle.js');
}

/** The entry the CLI starts for `service`: its bundle when built, else `dist/main.js`. */
export function serviceEntry(servicesDir: string, service: string): string {
  const bundle = bundleFile(servicesDir, service);
  return existsSync(bundle) ? bundle : join(servicesDir, service, 'dist', 'main.js');
}

/** The CLI entry the supervisor runs: the bundle beside `cliMain` when built, else `cliMain`. */
export function supervisorEntry(cliMain: string): string {
  const bundle = join(dirname(cliMain), 'main.bundle.js');
  return existsSync(bundle) ? bundle : cliMain;
}

/** The first input of `bundle` that is newer than it, or undefined when it is fresh (or absent); `mtimes` caches stat calls across bundles. */
export async function staleBundleInput(
  bundle: string,
  mtimes = new Map<string, Promise<number>>(),
): Promise<string | undefined> {
  let inputs: string[];
  let built: number;
  try {
    built = (await stat(bundle)).mtimeMs;
    inputs = JSON.parse(await readFile(bundle.replace(/\.js$/, '.inputs.json'), 'utf8')) as string[];
  } catch {
    return undefined;
  }
  const modified = (file: string) => {
    let t = mtimes.get(file);
    if (!t) {
      t = stat(file).then(
        (s) => s.mtimeMs,
        () => Number.POSITIVE_INFINITY,
      );
      mtimes.set(file, t);
    }
    return t;
  };
  const files = inputs.map((input) => resolve(dirname(bundle), input));
  const times = await Promise.all(files.map(modified));
  return files.find((_, i) => (times[i] as number) > built);
}

/** Messages naming each of `bundles` that is older than one of its inputs (none when all are fresh). */
export async function staleBundles(bundles: string[]): Promise<string[]> {
  // The bundles share most of their inputs (the packages, node_modules): each file is stat'ed once.
  const mtimes = new Map<string, Promise<number>>();
  const stale = await Promise.all(bundles.map((b) => staleBundleInput(b, mtimes)));
  return bundles.flatMap((b, i) => (stale[i] ? [`${b} is older than ${stale[i]}, which it bundles`] : []));
}
