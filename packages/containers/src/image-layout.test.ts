import { describe, expect, it } from 'vitest';
import { ImageBuildError } from './errors.js';
import { parseLddOutput } from './image-layout.js';

describe('parseLddOutput', () => {
  it('lists resolved libraries and the loader, not the vDSO', () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x00007f3)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f4)',
    ].join('\n');
    expect(parseLddOutput(out)).toEqual(['/lib/x86_64-linux-gnu/libcurl.so.4', '/lib64/ld-linux-x86-64.so.2']);
  });

  it('fails on a missing library', () => {
    expect(() => parseLddOutput('\tlibfoo.so.1 => not found')).toThrow(ImageBuildError);
  });
});
