/**
 * The proxy's layers together against a real nats-server: objects written to the event
 * log reach the data plane through informer, trackers, sync runner and proxier. The
 * ClusterIPs here are loopback addresses (always local, outside the service CIDR, so
 * nothing is added to the host's lo); the netns test covers addresses on lo.
 */
import type { KubeObject } from '@kemu/api';
import { type EventLog, type Informer, createObjectWriter, getObject } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type EventLogFixture, eventually, freePort, startEventLogFixture } from '@kemu/testkit';
import { type Server, createServer, get } from 'node:http';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoundRobinBalancer } from './balancer.js';
import { computeDesiredState } from './desired-state.js';
import { createEndpointsTracker } from './endpoints-tracker.js';
import { keepKubeProxyPod, kubeProxyPodKey } from './kube-proxy-pod.js';
import { createLoopbackAddresses } from './loopback-addresses.js';
import { createProxyMetrics } from './metrics.js';
import { type Proxier, createProxier } from './proxier.js';
import { createServiceTracker } from './service-tracker.js';
import { type SyncRunner, createSyncRunner } from './sync-runner.js';
import { loadTrackers, registerTrackerHandlers } from './tracker-handlers.js';

const log = createLogger({ component: 'test', level: 'silent' });
const VIP = '127.0.0.50';
const svcKey = { resource: 'services', namespace: 'default', name: 'web' };
const sliceKey = { resource: 'endpointslices', namespace: 'default', name: 'web-abc12' };

function service(port: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' },
    spec: { clusterIP: VIP, ports: [{ name: 'http', port, targetPort: 8080 }], ...extra },
  };
}

function slice(
  port: number,
  endpoints: { ip: string; ready?: boolean; serving?: boolean; terminating?: boolean }[],
): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: sliceKey.name,
      namespace: 'default',
      uid: 'slice-uid',
      labels: { 'kubernetes.io/service-name': 'web' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: endpoints.map(({ ip, ...conditions }) => ({
      addresses: [ip],
      conditions: { ready: true, serving: true, terminating: false, ...conditions },
      nodeName: 'node-1',
    })),
  };
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: VIP, port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: VIP, port });
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('kube-proxy over the event log', () => {
  let fx: EventLogFixture;
  let eventLog: EventLog;
  let informer: Informer;
  let runner: SyncRunner;
  let proxier: Proxier;
  let servicePort: number;
  let backendPort: number;
  const backends: Server[] = [];

  beforeEach(async () => {
    fx = await startEventLogFixture();
    ({ eventLog, informer } = fx);
    const services = createServiceTracker();
    const endpoints = createEndpointsTracker();
    proxier = createProxier({
      addresses: createLoopbackAddresses({ serviceCIDR: '10.96.0.0/12' }),
      balancer: createRoundRobinBalancer(),
      metrics: createProxyMetrics(),
      log,
    });
    runner = createSyncRunner({
      log,
      sync: () =>
        proxier.syncProxyRules(computeDesiredState(services.servicePorts(), endpoints.endpointsFor, 'node-1')),
    });
    registerTrackerHandlers(informer, services, endpoints, runner.request);
    loadTrackers(informer.view, services, endpoints);
    runner.start();
    servicePort = await freePort(VIP);
    backendPort = await freePort('127.0.0.2');
    for (const [ip, name] of [
      ['127.0.0.2', 'a'],
      ['127.0.0.3', 'b'],
    ] as const) {
      const s = createServer((_req, res) => res.end(name));
      await new Promise<void>((r) => s.listen(backendPort, ip, () => r()));
      backends.push(s);
    }
  });

  afterEach(async () => {
    await runner.stop();
    await proxier.stop();
    for (const s of backends.splice(0)) await new Promise((r) => s.close(r));
    await fx.close();
  });

  it('asks for no sync when a Service changes only in what the proxy does not program', async () => {
    let requests = 0;
    const off = registerTrackerHandlers(informer, createServiceTracker(), createEndpointsTracker(), () => requests++);
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    // The writer returns once the informer has applied the write, handlers included.
    await writer.put(svcKey, service(servicePort));
    expect(requests).toBe(1);
    await writer.update(svcKey, (s) => ({ ...s, status: { loadBalancer: {} } }));
    await writer.update(svcKey, (s) => ({ ...s, metadata: { ...s.metadata, labels: { tier: 'web' } } }));
    expect(requests).toBe(1);
    await writer.update(svcKey, () => service(servicePort, { sessionAffinity: 'ClientIP' }));
    expect(requests).toBe(2);
    off();
  });

  it('serves a Service round robin, refuses at once when its endpoints go, and serves again when they return', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    await writer.put(svcKey, service(servicePort));
    await writer.put(sliceKey, slice(backendPort, [{ ip: '127.0.0.2' }, { ip: '127.0.0.3' }]));
    await eventually(() => httpGet(servicePort), { timeoutMs: 5000 });
    const names = await Promise.all([0, 1, 2, 3].map(() => httpGet(servicePort)));
    expect(names.filter((n) => n === 'a').length).toBe(2);

    const t0 = Date.now();
    await writer.update(sliceKey, (s) => ({ ...s, endpoints: [] }));
    await eventually(() => refused(servicePort), { timeoutMs: 2000, intervalMs: 5 });
    expect(Date.now() - t0).toBeLessThan(500);

    await writer.update(sliceKey, () => slice(backendPort, [{ ip: '127.0.0.3' }]));
    await eventually(async () => (await httpGet(servicePort)) === 'b', { timeoutMs: 2000, intervalMs: 5 });
  });

  it('falls back to serving terminating endpoints only when none is ready', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    await writer.put(svcKey, service(servicePort));
    await writer.put(
      sliceKey,
      slice(backendPort, [{ ip: '127.0.0.2', ready: false, serving: true, terminating: true }, { ip: '127.0.0.3' }]),
    );
    await eventually(() => httpGet(servicePort));
    for (let i = 0; i < 4; i++) expect(await httpGet(servicePort)).toBe('b');
    await writer.update(sliceKey, () =>
      slice(backendPort, [
        { ip: '127.0.0.2', ready: false, serving: true, terminating: true },
        { ip: '127.0.0.3', ready: false, serving: false },
      ]),
    );
    await eventually(async () => (await httpGet(servicePort)) === 'a', { intervalMs: 5 });
    for (let i = 0; i < 4; i++) expect(await httpGet(servicePort)).toBe('a');
  });

  it('keeps a ClientIP-affine client on one endpoint', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    await writer.put(
      svcKey,
      service(servicePort, {
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      }),
    );
    await writer.put(sliceKey, slice(backendPort, [{ ip: '127.0.0.2' }, { ip: '127.0.0.3' }]));
    const first = await eventually(() => httpGet(servicePort));
    for (let i = 0; i < 6; i++) expect(await httpGet(servicePort)).toBe(first);
  });

  it('closes the listener when the Service is deleted', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    const svc = await writer.put(svcKey, service(servicePort));
    await writer.put(sliceKey, slice(backendPort, [{ ip: '127.0.0.2' }]));
    await eventually(() => httpGet(servicePort));
    await writer.remove(svcKey, svc);
    await eventually(() => refused(servicePort), { timeoutMs: 2000, intervalMs: 5 });
    expect(proxier.servicePorts()).toEqual([]);
  });

  it('proxies a UDP service port and answers from the ClusterIP', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    const dns = createSocket('udp4');
    await new Promise<void>((r) => dns.bind(backendPort, '127.0.0.2', () => r()));
    dns.on('message', (m, r) => dns.send(`answer:${m.toString()}`, r.port, r.address));
    await writer.put(svcKey, {
      ...service(servicePort),
      spec: { clusterIP: VIP, ports: [{ name: 'dns', port: servicePort, protocol: 'UDP', targetPort: 53 }] },
    });
    await writer.put(sliceKey, {
      ...slice(backendPort, [{ ip: '127.0.0.2' }]),
      ports: [{ name: 'dns', port: backendPort, protocol: 'UDP' }],
    });
    const client = createSocket('udp4');
    try {
      const reply = await eventually(
        () =>
          new Promise<string | undefined>((resolve) => {
            const t = setTimeout(() => resolve(undefined), 200);
            client.once('message', (m, r) => {
              clearTimeout(t);
              resolve(`${r.address}:${r.port} ${m.toString()}`);
            });
            client.send('q', servicePort, VIP);
          }),
        { timeoutMs: 5000 },
      );
      expect(reply).toBe(`${VIP}:${servicePort} answer:q`);
    } finally {
      client.close();
      dns.close();
    }
  });

  it('publishes its kube-system pod Running and Ready, and writes it again after a delete', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'kube-proxy', node: 'node-1' });
    const opts = {
      node: 'node-1',
      nodeIP: '10.250.0.11',
      containerID: 'kemu://kube-proxy-node-1-1',
      startedAt: new Date().toISOString(),
    };
    const stop = keepKubeProxyPod(writer, informer, opts, log);
    const key = kubeProxyPodKey('node-1');
    const pod = await eventually(() => getObject(informer.view, key));
    expect(pod.metadata.labels).toEqual({ 'k8s-app': 'kube-proxy' });
    expect(pod.spec).toMatchObject({ nodeName: 'node-1', hostNetwork: true });
    expect(pod.status).toMatchObject({ phase: 'Running', podIP: '10.250.0.11', hostIP: '10.250.0.11' });
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

    await writer.remove(key, pod);
    const again = await eventually(() => {
      const p = getObject(informer.view, key);
      return p && p.metadata.uid !== pod.metadata.uid ? p : undefined;
    });
    expect(again.status?.phase).toBe('Running');

    // A restarted proxy (new container ID) updates the status and counts a restart.
    stop();
    const restarted = keepKubeProxyPod(writer, informer, { ...opts, containerID: 'kemu://kube-proxy-node-1-2' }, log);
    await eventually(() => getObject(informer.view, key)?.status?.containerStatuses?.[0]?.restartCount === 1);
    restarted();
  });
});
