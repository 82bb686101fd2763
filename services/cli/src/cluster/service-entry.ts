/**
 * Which file of a service the CLI runs: `dist/main.bundle.js`, the one-file bundle `pnpm
 * build` makes (infra/scripts/bundle-services.mjs), when it exists, else tsc's
 * `dist/main.js`. Ten processes compiling ~450 modules each were most of `kemu up`'s time;
 * a bundle starts in under half the CPU. A bundle older than any file it was made from (a
 * `tsc --build` alone after an edit) would run old code, so `kemu up` refuses one (`staleBundleInput`).
 */
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
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

/** The first input of a service's bundle that is newer than the bundle, or undefined when it is fresh (or not bundled). */
export async function staleBundleInput(servicesDir: string, service: string): Promise<string | undefined> {
  const bundle = bundleFile(servicesDir, service);
  let inputs: string[];
  let built: number;
  try {
    built = (await stat(bundle)).mtimeMs;
    inputs = JSON.parse(await readFile(bundle.replace(/\.js$/, '.inputs.json'), 'utf8')) as string[];
  } catch {
    return undefined;
  }
  const times = await Promise.all(
    inputs.map(async (input) => {
      const file = resolve(dirname(bundle), input);
      return {
        file,
        mtimeMs: await stat(file).then(
          (s) => s.mtimeMs,
          () => Number.POSITIVE_INFINITY,
        ),
      };
    }),
  );
  return times.find((t) => t.mtimeMs > built)?.file;
}
