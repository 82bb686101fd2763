import type { Container, Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { builtInReadinessPorts, containerLaunch, expandVars, runsBuiltIn } from './container-launch.js';

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
    netnsPath: '/var/run/netns/kemu-t-pod-abc123',
    files: { hosts: '/e/hosts', hostname: '/e/hostname', resolvConf: '/e/resolv.conf', volumesDir: '/v' },
    serviceEnv: { WEB_SERVICE_HOST: '10.96.0.9', KUBERNETES_SERVICE_HOST: '10.96.0.1' },
  });

describe('runsBuiltIn', () => {
  it.each<[string, Partial<Container>, boolean]>([
    ['an emulated image without a command', { image: 'nginx' }, true],
    [
      'an emulated image with args only',
      { image: 'registry.k8s.io/e2e-test-images/agnhost:2.47', args: ['netexec'] },
      true,
    ],
    ['an unknown image with a command', { image: 'alpine', command: ['sh', '-c'], args: ['sleep 1'] }, false],
    [
      'busybox with args only (kubectl run -- CMD)',
      { image: 'docker.io/library/busybox', args: ['nslookup', 'web'] },
      false,
    ],
    ['curl with args only', { image: 'docker.io/curlimages/curl:8.5.0', args: ['-s', 'http://web'] }, false],
  ])('%s', (_what, c, expected) => {
    expect(runsBuiltIn({ name: 'c', ...c } as Container)).toBe(expected);
  });
});

describe('builtInReadinessPorts', () => {
  it('serves the declared ports of any image, app images included', () => {
    expect(builtInReadinessPorts({ name: 'c', image: 'myapp:latest', ports: [{ containerPort: 3000 }] })).toEqual([
      3000,
    ]);
    expect(builtInReadinessPorts({ name: 'c', image: 'myapp:latest' })).toEqual([]);
    expect(builtInReadinessPorts({ name: 'c', image: 'postgres' })).toEqual([5432]);
    expect(builtInReadinessPorts({ name: 'c', image: 'nginx' })).toEqual([8080]);
  });

  it("waits for agnhost netexec's HTTP port, given as --http-port=80 or --http-port 80", () => {
    const agnhost = (args: string[]) =>
      builtInReadinessPorts({ name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args });
    expect(agnhost(['netexec', '--http-port=80'])).toEqual([80]);
    expect(agnhost(['netexec', '--http-port', '80', '--udp-port', '80'])).toEqual([80]);
    expect(agnhost(['netexec'])).toEqual([8080]);
    expect(agnhost(['serve-hostname', '--port', '9000'])).toEqual([9000]);
  });
});

describe('containerLaunch', () => {
  it('runs the built-in workload in the pod netns with the identity env and the kubelet files', () => {
    const l = launch(
      pod({ ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }, { containerPort: 9090 }] }),
    );
    expect(l.builtIn).toBe(true);
    expect(l.image).toBe('nginx');
    expect(l.command).toBeUndefined();
    expect(l.netnsPath).toBe('/var/run/netns/kemu-t-pod-abc123');
    expect(l.hostname).toBe('web-1');
    expect(l.mounts.map((m) => m.destination)).toEqual(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']);
    expect(l.env).toMatchObject({
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
    expect(l.env.PATH).toBeUndefined();
  });

  it('keeps a real command with expanded $(VAR) references, env values and fieldRefs', () => {
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
    expect(l.command).toEqual(['sh', '-c', 'echo hi-$(MY_POD) $(X) $(MISSING)']);
    expect(l.args).toBeUndefined();
    expect(l.env).toMatchObject({ MY_POD: 'web-1', MY_IP: '10.244.1.5', APP: 'web' });
  });

  it('names the host after spec.hostname when set, cut to 63 characters', () => {
    expect(launch(pod({}, { hostname: 'db-0' })).hostname).toBe('db-0');
    const long = { ...pod({}), metadata: { ...pod({}).metadata, name: 'x'.repeat(70) } };
    expect(launch(long).hostname).toBe('x'.repeat(63));
  });

  it('refuses hostPath volumes', () => {
    const p = pod(
      { volumeMounts: [{ name: 'h', mountPath: '/h' }] },
      { volumes: [{ name: 'h', hostPath: { path: '/' } }] },
    );
    expect(() => launch(p)).toThrow(/hostPath volumes are refused/);
  });

  it('keeps only the master service vars when enableServiceLinks is false', () => {
    const l = launch(pod({}, { enableServiceLinks: false }));
    expect(l.env.WEB_SERVICE_HOST).toBeUndefined();
    expect(l.env.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
  });

  it('expands variables like the kubelet', () => {
    expect(expandVars('$(A)-$(B)-$$(A)-$(', { A: '1' })).toBe('1-$(B)-$(A)-$(');
  });

  it('mounts node-directory volumes read-only as directories, in place of the volume of the same path', () => {
    const p = pod(
      { volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }] },
      { volumes: [{ name: 'cfg', configMap: { name: 'app' } }] },
    );
    const binds = [
      { source: '/k/pods/abc-123/volumes/kubernetes.io~configmap/cfg', mountPath: '/etc/cfg' },
      { source: '/s/kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ];
    const l = containerLaunch({
      pod: p,
      container: p.spec.containers[0]!,
      podIP: '10.244.1.5',
      hostIP: '10.250.0.11',
      node: 'node-1',
      netnsPath: '/var/run/netns/kemu-t-pod-abc123',
      files: { hosts: '/e/hosts', hostname: '/e/hostname', volumesDir: '/v' },
      serviceEnv: {},
      binds,
    });
    expect(l.binds).toEqual(binds);
    expect(l.mounts.filter((m) => m.destination === '/etc/cfg')).toEqual([
      { destination: '/etc/cfg', source: '/k/pods/abc-123/volumes/kubernetes.io~configmap/cfg', readonly: true },
    ]);
    expect(l.mounts).toContainEqual({
      destination: '/var/run/secrets/kubernetes.io/serviceaccount',
      source: '/s/kube-api-access',
      readonly: true,
    });
  });
});
