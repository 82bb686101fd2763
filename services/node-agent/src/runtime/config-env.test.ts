import type { ConfigMap, Container, Pod, Secret } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { ContainerConfigError, type ConfigSources } from './config-env.js';
import { inContainer } from '../probes/probe.js';
import { containerLaunch } from './container-launch.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const configMaps: Record<string, ConfigMap> = {
  app: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { color: 'blue', 'bad key': 'x' } },
};
const secrets: Record<string, Secret> = {
  db: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: b64('pw') } },
};
const sources: ConfigSources = {
  configMap: (_ns, name) => configMaps[name],
  secret: (_ns, name) => secrets[name],
};

const launchEnv = (container: Partial<Container>) => {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'shop', uid: 'u1' },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1'], ...container }] },
  };
  return containerLaunch({
    pod,
    container: pod.spec.containers[0]!,
    podIP: '10.244.1.5',
    hostIP: '10.250.0.11',
    node: 'n',
    netnsPath: '/var/run/netns/ns',
    files: { hosts: '/h', hostname: '/hn', volumesDir: '/v' },
    serviceEnv: {},
    config: sources,
  }).env;
};

describe('env from ConfigMaps and Secrets', () => {
  it('sets envFrom with its prefix (skipping invalid names), then key refs, in the kubelet order', () => {
    const env = launchEnv({
      envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'app' } }, { secretRef: { name: 'db' } }],
      env: [
        { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'app', key: 'color' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'BOTH', value: '$(COLOR)-$(PW)' },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'none', key: 'x', optional: true } } },
      ],
    });
    expect(env).toMatchObject({ CFG_color: 'blue', password: 'pw', COLOR: 'blue', PW: 'pw', BOTH: 'blue-pw' });
    expect(env).not.toHaveProperty('CFG_bad key');
    expect(env).not.toHaveProperty('OPT');
  });

  it('fails with the kubelet messages when a source or key is missing and not optional', () => {
    expect(() => launchEnv({ envFrom: [{ configMapRef: { name: 'late' } }] })).toThrow(
      new ContainerConfigError('configmap "late" not found'),
    );
    expect(() => launchEnv({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] })).toThrow(
      'secret "gone" not found',
    );
    expect(() => launchEnv({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } }] })).toThrow(
      "couldn't find key user in Secret shop/db",
    );
  });
});

describe('inContainer', () => {
  it('runs exec probes and hooks in the container mount namespace when its pid is known', () => {
    expect(inContainer('ns', 42, ['cat', '/etc/cfg/a'])).toEqual([
      'nsenter',
      '--mount',
      '--target=42',
      '--',
      'ip',
      'netns',
      'exec',
      'ns',
      'cat',
      '/etc/cfg/a',
    ]);
    expect(inContainer('ns', undefined, ['true'])).toEqual(['ip', 'netns', 'exec', 'ns', 'true']);
  });
});
