import type { ConfigMap, Pod, Secret } from '@kemu/api';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigSources } from '../runtime/config-env.js';
import { writeAtomically } from './atomic-writer.js';
import { configMounts, syncConfigVolumes, volumeDir } from './config-volumes.js';

const configMaps: Record<string, ConfigMap> = {};
const secrets: Record<string, Secret> = {
  db: {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db' },
    data: { password: Buffer.from('pw').toString('base64') },
  },
};
const sources: ConfigSources = { configMap: (_n, name) => configMaps[name], secret: (_n, name) => secrets[name] };

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: {
    containers: [
      {
        name: 'c',
        image: 'busybox',
        volumeMounts: [
          { name: 'cfg', mountPath: '/etc/cfg' },
          { name: 'creds', mountPath: '/etc/creds' },
          { name: 'opt', mountPath: '/etc/opt' },
        ],
      },
    ],
    volumes: [
      { name: 'cfg', configMap: { name: 'app' } },
      { name: 'creds', secret: { secretName: 'db', defaultMode: 0o400, items: [{ key: 'password', path: 'db/pw' }] } },
      { name: 'opt', configMap: { name: 'absent', optional: true } },
    ],
  },
};

describe('atomic writer', () => {
  it('swaps ..data to a new version directory and links each top-level entry through it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kemu-aw-')), 'v');
    const file = (content: string) => [{ path: 'a', content: Buffer.from(content), mode: 0o644 }];
    expect(writeAtomically(dir, file('1'))).toBe(true);
    const first = readlinkSync(join(dir, '..data'));
    expect(readlinkSync(join(dir, 'a'))).toBe('..data/a');
    expect(writeAtomically(dir, file('1'))).toBe(false);
    expect(writeAtomically(dir, file('2'))).toBe(true);
    expect(readlinkSync(join(dir, '..data'))).not.toBe(first);
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('2');
    expect(readdirSync(dir).sort()).toEqual(['..data', readlinkSync(join(dir, '..data')), 'a'].sort());
  });
});

describe('ConfigMap and Secret volumes', () => {
  it('projects keys as files with items and defaultMode, an absent optional source as an empty directory', () => {
    const state = mkdtempSync(join(tmpdir(), 'kemu-vol-'));
    configMaps.app = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { color: 'blue' } };
    const dirs = syncConfigVolumes(pod, state, sources);
    const cfg = volumeDir(state, 'u1', 'configmap', 'cfg');
    expect(readFileSync(join(cfg, 'color'), 'utf8')).toBe('blue');
    const pw = join(volumeDir(state, 'u1', 'secret', 'creds'), 'db', 'pw');
    expect(readFileSync(pw, 'utf8')).toBe('pw');
    expect(lstatSync(join(volumeDir(state, 'u1', 'secret', 'creds'), '..data', 'db', 'pw')).mode & 0o777).toBe(0o400);
    expect(readdirSync(volumeDir(state, 'u1', 'configmap', 'opt')).every((e) => e.startsWith('..'))).toBe(true);
    expect(configMounts(pod, 'c', dirs).map((m) => m.mountPath)).toEqual(['/etc/cfg', '/etc/creds', '/etc/opt']);
  });

  it('binds a subPath as the file it names, resolved through ..data at start, never outside the volume', () => {
    const state = mkdtempSync(join(tmpdir(), 'kemu-vol-'));
    configMaps.app = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { 'app.conf': 'v1' } };
    const withSubPath: Pod = structuredClone(pod);
    const c = withSubPath.spec.containers[0] as (typeof withSubPath.spec.containers)[number];
    c.volumeMounts = [
      { name: 'cfg', mountPath: '/etc/nginx/conf.d/app.conf', subPath: 'app.conf' },
      { name: 'cfg', mountPath: '/etc/missing.conf', subPath: 'missing.conf' },
      { name: 'cfg', mountPath: '/etc/escape', subPath: '../../..' },
    ];
    const dirs = syncConfigVolumes(withSubPath, state, sources);
    const mounts = configMounts(withSubPath, 'c', dirs);
    expect(mounts.map((m) => m.mountPath)).toEqual(['/etc/nginx/conf.d/app.conf']);
    const source = mounts[0]?.source ?? '';
    expect(source).toContain(`${volumeDir(state, 'u1', 'configmap', 'cfg')}/..`);
    expect(readFileSync(source, 'utf8')).toBe('v1');
  });

  it('fails the mount of a missing source that is not optional', () => {
    delete configMaps.app;
    expect(() => syncConfigVolumes(pod, mkdtempSync(join(tmpdir(), 'kemu-vol-')), sources)).toThrow(
      'MountVolume.SetUp failed for volume "cfg" : configmap "app" not found',
    );
  });
});
