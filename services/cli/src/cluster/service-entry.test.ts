import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleFile, serviceEntry, staleBundleInput, staleBundles, supervisorEntry } from './service-entry.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kemu-service-entry-'));
  await mkdir(join(dir, 'proxy', 'dist'), { recursive: true });
  await writeFile(join(dir, 'proxy', 'dist', 'main.js'), '');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Writes a bundle of proxy made from `inputs` (paths relative to the bundle), built at `builtAt` seconds. */
async function writeBundle(inputs: string[], builtAt: number): Promise<string> {
  const bundle = bundleFile(dir, 'proxy');
  await writeFile(bundle, '');
  await writeFile(join(dir, 'proxy', 'dist', 'main.bundle.inputs.json'), JSON.stringify(inputs));
  await utimes(bundle, builtAt, builtAt);
  return bundle;
}

describe('serviceEntry', () => {
  it('runs dist/main.js until a bundle is built, then the bundle', async () => {
    expect(serviceEntry(dir, 'proxy')).toBe(join(dir, 'proxy', 'dist', 'main.js'));
    await writeBundle([], 1000);
    expect(serviceEntry(dir, 'proxy')).toBe(join(dir, 'proxy', 'dist', 'main.bundle.js'));
  });

  it('gives the supervisor the CLI bundle beside the CLI entry when there is one', async () => {
    const cliMain = join(dir, 'proxy', 'dist', 'main.js');
    expect(supervisorEntry(cliMain)).toBe(cliMain);
    await writeBundle([], 1000);
    expect(supervisorEntry(cliMain)).toBe(join(dir, 'proxy', 'dist', 'main.bundle.js'));
  });
});

describe('staleBundleInput', () => {
  it('finds nothing stale when every input is older than the bundle, or there is no bundle', async () => {
    expect(await staleBundleInput(bundleFile(dir, 'proxy'))).toBeUndefined();
    await utimes(join(dir, 'proxy', 'dist', 'main.js'), 500, 500);
    const bundle = await writeBundle(['main.js'], 1000);
    expect(await staleBundleInput(bundle)).toBeUndefined();
    expect(await staleBundles([bundle])).toEqual([]);
  });

  it('names an input changed after the bundle was built', async () => {
    const input = join(dir, 'proxy', 'dist', 'main.js');
    await utimes(input, 2000, 2000);
    const bundle = await writeBundle(['main.js'], 1000);
    expect(await staleBundleInput(bundle)).toBe(input);
    expect(await staleBundles([bundle])).toEqual([`${bundle} is older than ${input}, which it bundles`]);
  });

  it('counts a vanished input as changed', async () => {
    const bundle = await writeBundle(['gone.js'], 1000);
    expect(await staleBundleInput(bundle)).toBe(join(dir, 'proxy', 'dist', 'gone.js'));
  });
});
