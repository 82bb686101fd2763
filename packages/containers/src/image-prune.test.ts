import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneImages } from './image-prune.js';

describe('pruneImages', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function image(digest: string, kind: string): Promise<void> {
    await mkdir(join(dir, 'sha256', digest, 'rootfs'), { recursive: true });
    await writeFile(join(dir, 'sha256', digest, 'manifest.json'), JSON.stringify({ kind, digest }));
  }

  it("removes a kind's images no ref names, keeping other kinds' and the named one", async () => {
    await image('old', 'busybox');
    await image('new', 'busybox');
    await image('curl-unnamed', 'curl');
    await mkdir(join(dir, 'refs'));
    await writeFile(join(dir, 'refs', 'busybox.json'), JSON.stringify({ key: 'k', digest: 'new' }));
    expect(await pruneImages(dir, 'busybox')).toEqual(['old']);
    expect((await readdir(join(dir, 'sha256'))).sort()).toEqual(['curl-unnamed', 'new']);
  });

  it('keeps everything when the store is empty or has no refs yet', async () => {
    expect(await pruneImages(dir, 'busybox')).toEqual([]);
  });
});
