import type { Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import {
  containerIdFor,
  containerMounts,
  containerSecurity,
  podVolumes,
  VolumeRefusedError,
} from './container-spec.js';

const files = { hosts: '/p/hosts', hostname: '/p/hostname', resolvConf: '/p/resolv.conf', volumesDir: '/p/volumes' };

function pod(spec: Partial<Pod['spec']>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: '0123abcd-4567-89ef-0000-000000000000' },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  } as Pod;
}

describe('containerIdFor', () => {
  it('names a run by pod uid, container and restart count', () => {
    expect(containerIdFor('0123abcd-4567-89ef-0000-000000000000', 'web', 2)).toBe('0123abcd4567-web-2');
  });
});

describe('containerMounts', () => {
  it('mounts the kubelet files, then emptyDir volumes shared by path', () => {
    const p = pod({
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'shm', emptyDir: { medium: 'Memory' } },
      ],
    });
    const c = {
      name: 'c',
      image: 'busybox',
      volumeMounts: [
        { name: 'data', mountPath: '/data' },
        { name: 'shm', mountPath: '/cache', subPath: 'a', readOnly: true },
      ],
    };
    expect(containerMounts(p, c, files)).toEqual([
      { destination: '/etc/hosts', source: '/p/hosts' },
      { destination: '/etc/hostname', source: '/p/hostname' },
      { destination: '/etc/resolv.conf', source: '/p/resolv.conf' },
      { destination: '/data', source: '/p/volumes/data', readonly: false },
      { destination: '/cache', source: '/p/volumes/shm/a', readonly: true },
    ]);
    expect(podVolumes(p, '/p/volumes').map((v) => v.memory)).toEqual([false, true]);
  });

  it('refuses hostPath volumes and subPaths that leave their volume', () => {
    expect(() => podVolumes(pod({ volumes: [{ name: 'h', hostPath: { path: '/etc' } }] }), '/v')).toThrow(
      /hostPath volumes are refused/,
    );
    const p = pod({ volumes: [{ name: 'd', emptyDir: {} }] });
    const c = { name: 'c', image: 'busybox', volumeMounts: [{ name: 'd', mountPath: '/d', subPath: '../../etc' }] };
    expect(() => containerMounts(p, c, files)).toThrow(VolumeRefusedError);
  });
});

describe('containerSecurity', () => {
  it('takes the container securityContext over the pod one', () => {
    const p = pod({ securityContext: { runAsUser: 1000, fsGroup: 2000 } });
    const c = { name: 'c', image: 'busybox', securityContext: { runAsGroup: 3000, allowPrivilegeEscalation: false } };
    expect(containerSecurity(p, c)).toEqual({
      user: { uid: 1000, gid: 3000, additionalGids: [2000] },
      allowPrivilegeEscalation: false,
    });
    expect(containerSecurity(pod({}), { name: 'c', image: 'x' })).toEqual({});
  });
});
