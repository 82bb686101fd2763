import { describe, expect, it } from 'vitest';
import { defaultObject } from './defaults.js';
import { defaultPullPolicy, podQOSClass } from './defaults-pod.js';
import type { KubeObject, Pod, Service } from './types.js';

const svc = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', namespace: 'default' },
  spec,
});

describe('defaultObject', () => {
  it('defaults a ClusterIP Service like the apiserver', () => {
    const input = svc({ selector: { app: 'web' }, ports: [{ port: 80 }] });
    const out = defaultObject(input) as Service;
    expect(out.spec).toEqual({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    expect(input.spec).toEqual({ selector: { app: 'web' }, ports: [{ port: 80 }] });
  });

  it('fills the ClientIP timeout and keeps a named targetPort', () => {
    const out = defaultObject(
      svc({ sessionAffinity: 'ClientIP', ports: [{ port: 80, targetPort: 'http' }], clusterIP: '10.96.0.10' }),
    ) as Service;
    expect(out.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
    expect(out.spec.ports![0]!.targetPort).toBe('http');
    expect(out.spec.clusterIPs).toEqual(['10.96.0.10']);
  });

  it('drops the affinity config when sessionAffinity is None, so ClientIP → None re-applies', () => {
    const out = defaultObject(
      svc({
        sessionAffinity: 'None',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        ports: [{ port: 80 }],
      }),
    ) as Service;
    expect(out.spec.sessionAffinityConfig).toBeUndefined();
  });

  it('leaves ExternalName services without cluster IP fields', () => {
    const out = defaultObject(svc({ type: 'ExternalName', externalName: 'example.com' })) as Service;
    expect(out.spec).toEqual({ type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
  });

  it('defaults a Pod spec, its containers and probes', () => {
    const pod = defaultObject({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx',
            ports: [{ containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          },
        ],
      },
    }) as Pod;
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
    });
    const c = pod.spec.containers[0]!;
    expect(c).toMatchObject({
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
    });
    expect(c.ports).toEqual([{ containerPort: 8080, protocol: 'TCP' }]);
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('chooses imagePullPolicy by tag', () => {
    expect(defaultPullPolicy('nginx')).toBe('Always');
    expect(defaultPullPolicy('myapp:latest')).toBe('Always');
    expect(defaultPullPolicy('nginx:1.28')).toBe('IfNotPresent');
    expect(defaultPullPolicy('localhost:5000/app')).toBe('Always');
    expect(defaultPullPolicy('busybox@sha256:abc')).toBe('IfNotPresent');
  });

  it('computes the QoS class', () => {
    const c = (resources: Record<string, unknown>) => ({ containers: [{ name: 'a', image: 'x', resources }] }) as never;
    expect(podQOSClass(c({}))).toBe('BestEffort');
    expect(
      podQOSClass(c({ requests: { memory: '64Mi', cpu: '250m' }, limits: { memory: '128Mi', cpu: '500m' } })),
    ).toBe('Burstable');
    expect(podQOSClass(c({ limits: { memory: '128Mi', cpu: '0.5' }, requests: { cpu: '500m' } }))).toBe('Guaranteed');
  });

  it('defaults a Namespace', () => {
    const ns = defaultObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } });
    expect(ns).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'production', labels: { 'kubernetes.io/metadata.name': 'production' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });

  it('defaults EndpointSlice and Endpoints port protocols', () => {
    const slice = defaultObject({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'x' },
      addressType: 'IPv4',
      endpoints: [],
      ports: [{ port: 80 }],
    });
    expect(slice.ports).toEqual([{ port: 80, protocol: 'TCP' }]);
    const ep = defaultObject({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'x' },
      subsets: [{ ports: [{ port: 8080 }] }],
    });
    expect(ep.subsets).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
  });

  it('defaults a Deployment and its pod template', () => {
    const d = defaultObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'shop' } },
        template: {
          metadata: { labels: { app: 'shop' } },
          spec: { containers: [{ name: 'shop', image: 'example/shop:1.0' }] },
        },
      },
    });
    expect(d.spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    expect((d.spec as unknown as { template: Pod }).template.spec.containers[0]!.imagePullPolicy).toBe('IfNotPresent');
  });
});
