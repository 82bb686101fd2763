// Bundles the page (src/page/app.js with preact, htm and cytoscape) into dist/page/app.js;
// run by the root `pnpm build` after tsc.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

await build({
  entryPoints: [here('src/page/app.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  outfile: here('dist/page/app.js'),
  logLevel: 'warning',
});
