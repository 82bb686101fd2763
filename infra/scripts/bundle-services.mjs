// Bundles each service the CLI starts into one file, services/<s>/dist/main.bundle.js (ESM,
// with a source map chained to the .ts sources), run by the root `pnpm build` after tsc.
//
// Why: `kemu up` starts about ten Node processes at once on a small machine, and each spent
// most of its start-up resolving and compiling ~450 modules (0.23 s of CPU); one file
// takes 0.09 s. The bundle sits beside dist/main.js so `import.meta.url`-relative paths
// (node-agent's default workload entry) stay the same. Beside it, main.bundle.inputs.json
// lists the files it was made from, so the CLI can refuse a bundle older than its inputs
// (a `tsc --build` without this step). Stack traces name the bundle's lines; run with
// NODE_OPTIONS=--enable-source-maps to map them to the .ts sources (it costs ~18 MB of
// memory per process, so it is not the default).
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The services `kemu up`, `kemu node up` and the supervisor start (not the CLI, the dashboard or pod-workload). */
const SERVICES = ['apiserver', 'controller', 'node-agent', 'proxy', 'dns', 'hollow-node-agent', 'cli'];

/**
 * Packages loaded from where they are installed instead of bundled: native addons find
 * their binary relative to their own file (msgpackr's optional native extension).
 */
const UNBUNDLED = ['msgpackr-extract'];

/**
 * Resolves the UNBUNDLED packages to their installed file, as the importing package would,
 * and leaves them out, named relative to the bundle so a copy of the tree (the compose
 * image's /opt/kemu) still finds them.
 */
function installedPackages(outDir) {
  return {
    name: 'installed-packages',
    setup(b) {
      const filter = new RegExp(`^(${UNBUNDLED.join('|')})$`);
      b.onResolve({ filter }, (args) => {
        try {
          const file = createRequire(join(args.resolveDir, 'x.js')).resolve(args.path);
          return { path: relative(outDir, file), external: true };
        } catch {
          return { path: args.path, external: true };
        }
      });
    },
  };
}

await Promise.all(
  SERVICES.map(async (service) => {
    const dist = join(root, 'services', service, 'dist');
    const outfile = join(dist, 'main.bundle.js');
    const result = await build({
      entryPoints: [join(dist, 'main.js')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
      metafile: true,
      absWorkingDir: root,
      logLevel: 'warning',
      plugins: [installedPackages(dist)],
      // CommonJS dependencies call require() for Node's built-ins, which an ES module lacks.
      banner: {
        js: "import { createRequire as kemuCreateRequire } from 'node:module';\nconst require = kemuCreateRequire(import.meta.url);",
      },
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => relative(dirname(outfile), join(root, p)));
    await writeFile(join(dist, 'main.bundle.inputs.json'), `${JSON.stringify(inputs)}\n`);
  }),
);
