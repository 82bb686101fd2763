/**
 * The committed configuration reference (docs/configuration.md) is the one the schemas
 * make, and names every KEMU_* variable any source mentions. Reads the built schemas
 * (through infra/scripts/config-docs.mjs), as `pnpm config:docs` does.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { configReference, notVariables, referencePath } from '../../../infra/scripts/config-docs.mjs';

const repo = join(import.meta.dirname, '..', '..', '..');

/** Source files of packages/, services/, test/ and infra/ (no builds, no dependencies). */
function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'examples') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.(ts|mjs|js|sh|ya?ml|conf)$/.test(name) || name === 'Dockerfile') out.push(path);
  }
  return out;
}

describe('configuration reference', () => {
  it('is up to date with the schemas (run pnpm config:docs)', () => {
    expect(readFileSync(referencePath, 'utf8')).toBe(configReference());
  });

  it('documents every KEMU_* variable the sources mention', () => {
    const documented = new Set(
      [...readFileSync(referencePath, 'utf8').matchAll(/^\| `(KEMU_[A-Z0-9_]+)`/gm)].map((m) => m[1]),
    );
    const missing = new Map<string, string>();
    const files = ['packages', 'services', 'test', 'infra'].flatMap((d) => sources(join(repo, d)));
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      for (const [name] of readFileSync(file, 'utf8').matchAll(/\bKEMU_[A-Z0-9]+(?:_[A-Z0-9]+)*\b/g)) {
        if (!documented.has(name) && !(name in notVariables) && !missing.has(name))
          missing.set(name, relative(repo, file));
      }
    }
    expect(Object.fromEntries(missing)).toEqual({});
  });
});
