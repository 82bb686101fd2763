import type { Container, Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { containerLaunch, expandVars, realCommand } from './container-launch.js';

const pod = (container: Partial<Container>, spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', uid: 'abc-123', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx', ...container }], ...spec },
});

const launch = (p: Pod) =>
  containerLaunch({
    pod: p,
    container: p.spec.containers[0]!,
    podIP: '10.244.1.5',
    hostIP: '10.250.0.11',
    node: 'node-1',
    podNetns: 'kemu-t-pod-abc123',
    workloadEntry: '/w/main.js',
    nodeBinary: '/usr/bin/node',
    serviceEnv: { WEB_SERVICE_HOST: '10.96.0.9', KUBERNETES_SERVICE_HOST: '10.96.0.1' },
    baseEnv: { PATH: '/usr/bin' },
  });

describe('realCommand', () => {
  it.each<[string, Partial<Container>, string[] | undefined]>([
    ['no command: built-in workload', { image: 'nginx' }, undefined],
    ['command and args', { image: 'alpine', command: ['sh', '-c'], args: ['sleep 1'] }, ['sh', '-c', 'sleep 1']],
    [
      'busybox runs the real busybox',
      { image: 'busybox:1.36', command: ['sh', '-c'], args: ['sleep 1'] },
      ['busybox', 'sh', '-c', 'sleep 1'],
    ],
    [
      'args only on busybox (kubectl run -- CMD)',
      { image: 'docker.io/library/busybox', args: ['nslookup', 'web'] },
      ['busybox', 'nslookup', 'web'],
    ],
    [
      'args only on curl use its entrypoint',
      { image: 'docker.io/curlimages/curl:8.5.0', args: ['-s', 'http://web'] },
      ['curl', '-s', 'http://web'],
    ],
  ])('%s', (_what, c, expected) => {
    expect(realCommand({ name: 'c', ...c } as Container)).toEqual(expected);
  });
});

const UTS = (hostname: string) => ['unshare', '--uts', 'sh', '-c', 'hostname "$0" 2>/dev/null; exec "$@"', hostname];

describe('containerLaunch', () => {
  it('runs the built-in workload in the pod netns with the identity env', () => {
    const l = launch(
      pod({ ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }, { containerPort: 9090 }] }),
    );
    expect(l.builtIn).toBe(true);
    expect(l.argv).toEqual([
      'ip',
      'netns',
      'exec',
      'kemu-t-pod-abc123',
      ...UTS('web-1'),
      '/usr/bin/node',
      '/w/main.js',
    ]);
    expect(l.env).toMatchObject({
      PATH: '/usr/bin',
      HOSTNAME: 'web-1',
      KEMU_POD_NAME: 'web-1',
      KEMU_POD_NAMESPACE: 'shop',
      KEMU_POD_UID: 'abc-123',
      KEMU_NODE_NAME: 'node-1',
      KEMU_POD_IP: '10.244.1.5',
      KEMU_CONTAINER_NAME: 'c',
      KEMU_IMAGE: 'nginx',
      KEMU_CONTAINER_PORTS: '8080,9090',
      WEB_SERVICE_HOST: '10.96.0.9',
    });
  });

  it('runs a real command with expanded $(VAR) references, env values and fieldRefs', () => {
    const l = launch(
      pod({
        image: 'busybox',
        command: ['sh', '-c', 'echo $(GREETING) $$(X) $(MISSING)'],
        env: [
          { name: 'GREETING', value: 'hi-$(MY_POD)' },
          { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        ],
      }),
    );
    expect(l.builtIn).toBe(false);
    expect(l.argv).toEqual([
      'ip',
      'netns',
      'exec',
      'kemu-t-pod-abc123',
      ...UTS('web-1'),
      'busybox',
      'sh',
      '-c',
      'echo hi-$(MY_POD) $(X) $(MISSING)',
    ]);
    expect(l.env).toMatchObject({ MY_POD: 'web-1', MY_IP: '10.244.1.5', APP: 'web' });
  });

  it('names the UTS namespace after spec.hostname when set, cut to 63 characters', () => {
    expect(launch(pod({}, { hostname: 'db-0' })).argv.slice(4, 10)).toEqual(UTS('db-0'));
    const long = { ...pod({}), metadata: { ...pod({}).metadata, name: 'x'.repeat(70) } };
    expect(launch(long).argv[9]).toBe('x'.repeat(63));
  });

  it('keeps only the master service vars when enableServiceLinks is false', () => {
    const l = launch(pod({}, { enableServiceLinks: false }));
    expect(l.env.WEB_SERVICE_HOST).toBeUndefined();
    expect(l.env.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
  });

  it('expands variables like the kubelet', () => {
    expect(expandVars('$(A)-$(B)-$$(A)-$(', { A: '1' })).toBe('1-$(B)-$(A)-$(');
  });
});
