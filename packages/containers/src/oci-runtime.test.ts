import { describe, expect, it } from 'vitest';
import { hybridCgroupHost, runPrefix, runtimeRoot } from './oci-runtime.js';

const V1 = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
].join('\n');
const HYBRID = `${V1}\n41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const UNIFIED = '31 23 0:28 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw';

describe('oci runtime choice', () => {
  it('tells a hybrid cgroup host from a cgroup v1 or a unified one', () => {
    expect([hybridCgroupHost(HYBRID), hybridCgroupHost(V1), hybridCgroupHost(UNIFIED)]).toEqual([true, false, false]);
  });

  it('starts crun without the cgroup2 mount on a hybrid host only, and runc as it is', () => {
    const prefix = runPrefix('/usr/bin/crun', true);
    expect(prefix.slice(0, 4)).toEqual(['unshare', '--mount', '--propagation', 'slave']);
    expect(prefix.join(' ')).toContain('umount /sys/fs/cgroup/unified');
    expect(runPrefix('/usr/bin/crun', false)).toEqual([]);
    expect(runPrefix('/usr/sbin/runc', true)).toEqual([]);
  });

  it('keeps each runtime state in its own directory', () => {
    expect([
      runtimeRoot('/n', '/usr/bin/crun'),
      runtimeRoot('/n', '/usr/sbin/runc'),
      runtimeRoot('/n', 'runc'),
    ]).toEqual(['/n/crun', '/n/runc', '/n/runc']);
  });
});
