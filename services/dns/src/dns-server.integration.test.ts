/**
 * The dns layers together against a real nats-server and the real `dig`: objects written
 * to the event log are answered over UDP and TCP on a loopback address, a big answer is
 * truncated over UDP and complete over TCP (D2), out-of-zone and ANY queries stay small
 * (D3), and the kube-dns Service and the dns pod are written as a cluster expects them.
 */
import type { KubeObject } from '@kemu/api';
import { type EventLog, type Informer, createObjectWriter, getObject, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type EventLogFixture, eventually, freePort, startEventLogFixture } from '@kemu/testkit';
import { execFile } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { corednsPodKey, keepCorednsPod, markCorednsPodNotReady } from './coredns-pod.js';
import { KUBE_DNS_SERVICE, ensureKubeDnsService } from './kube-dns-service.js';
import { createQueryHandler } from './query-handler.js';
import { startTcpServer } from './tcp-server.js';
import { type DnsListener, type QueryEvent, startUdpServer } from './udp-server.js';
import { type ZoneSource, createZoneSource } from './zone-source.js';

const log = createLogger({ component: 'test', level: 'silent' });
const HOST = '127.0.0.1';

function dig(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('dig', [`@${HOST}`, '-p', String(port), '+time=2', '+tries=1', ...args], (err, stdout, stderr) => {
      if (err && !stdout) reject(new Error(`dig failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

function service(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `${name}-uid` }, spec };
}

function slice(svc: string, ips: string[], ports: { name: string; port: number }[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-abc`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
  };
}

describe('dns over the event log', () => {
  let fx: EventLogFixture;
  let eventLog: EventLog;
  let informer: Informer;
  let zone: ZoneSource;
  let listeners: DnsListener[] = [];
  let port: number;
  const queries: QueryEvent[] = [];
  const key = (resource: string, name: string, ns = 'default') => ({ resource, namespace: ns, name });

  beforeEach(async () => {
    fx = await startEventLogFixture();
    ({ eventLog, informer } = fx);
    zone = createZoneSource(informer, { domain: 'cluster.local' });
    const handler = createQueryHandler({ zone: zone.current, zoneOptions: { ttl: 5, pods: 'insecure' } });
    port = await freePort(HOST);
    const options = { host: HOST, port, handler, log, onQuery: (e: QueryEvent) => queries.push(e) };
    listeners = [await startUdpServer(options), await startTcpServer(options)];
  });

  afterEach(async () => {
    for (const l of listeners) await l.close();
    zone.stop();
    await fx.close();
  });

  it('answers dig over UDP and TCP from objects written to the log, and follows changes', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    await writer.put(key('namespaces', 'default', ''), namespace('default'));
    await writer.put(
      key('services', 'web-service'),
      service('web-service', { clusterIP: '10.96.0.50', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
    );
    expect((await dig(port, ['+short', 'web-service.default.svc.cluster.local'])).trim()).toBe('10.96.0.50');
    expect((await dig(port, ['+tcp', '+short', 'WEB-SERVICE.default.svc.cluster.local'])).trim()).toBe('10.96.0.50');
    expect((await dig(port, ['+short', 'SRV', '_http._tcp.web-service.default.svc.cluster.local'])).trim()).toBe(
      '0 100 80 web-service.default.svc.cluster.local.',
    );
    expect((await dig(port, ['+short', '-x', '10.96.0.50'])).trim()).toBe('web-service.default.svc.cluster.local.');
    const aaaa = await dig(port, ['AAAA', 'web-service.default.svc.cluster.local']);
    expect(aaaa).toMatch(/status: NOERROR/);
    expect(aaaa).toMatch(/ANSWER: 0, AUTHORITY: 1/);
    expect(aaaa).toMatch(/cluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./);
    expect(aaaa).toMatch(/flags: qr aa rd;/);
    expect(await dig(port, ['nope.default.svc.cluster.local'])).toMatch(/status: NXDOMAIN/);
    expect(await dig(port, ['+short', 'TXT', 'dns-version.cluster.local'])).toBe('"1.1.0"\n');

    const current = getObject(informer.view, key('services', 'web-service'));
    await writer.remove(key('services', 'web-service'), current as KubeObject);
    await eventually(async () => /status: NXDOMAIN/.test(await dig(port, ['web-service.default.svc.cluster.local'])), {
      what: 'NXDOMAIN after the delete',
    });
    expect(queries.some((q) => q.proto === 'tcp' && q.name === 'WEB-SERVICE.default.svc.cluster.local')).toBe(true);
    expect(queries.find((q) => q.type === 'SRV')).toMatchObject({ rcode: 'NOERROR', proto: 'udp' });
  });

  it('truncates a big UDP answer (TC) and gives all of it over TCP (D2)', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    await writer.put(key('namespaces', 'default', ''), namespace('default'));
    await writer.put(key('services', 'many'), service('many', { clusterIP: 'None', ports: [{ port: 80 }] }));
    const ips = Array.from({ length: 100 }, (_, i) => `10.244.${1 + (i >> 6)}.${i & 63}`);
    await writer.put(key('endpointslices', 'many-abc'), slice('many', ips, [{ name: '', port: 80 }]));
    const udpOnly = await dig(port, ['+noedns', '+ignore', 'many.default.svc.cluster.local']);
    expect(udpOnly).toMatch(/flags: qr aa tc rd;/);
    expect(Number(/MSG SIZE\s+rcvd: (\d+)/.exec(udpOnly)?.[1])).toBeLessThanOrEqual(512);
    const retried = await dig(port, ['+noedns', 'many.default.svc.cluster.local']);
    expect(retried).toMatch(/Truncated, retrying in TCP mode/);
    expect(retried).toMatch(/ANSWER: 100,/);
  });

  it('refuses out-of-zone names and zone transfers, and answers ANY minimally (D3)', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    await writer.put(key('namespaces', 'default', ''), namespace('default'));
    await writer.put(key('services', 'web'), service('web', { clusterIP: '10.96.0.51', ports: [{ port: 80 }] }));
    const out = await dig(port, ['example.com']);
    expect(out).toMatch(/status: REFUSED/);
    expect(out).not.toMatch(/ ra[ ;]/);
    expect(await dig(port, ['+tcp', 'AXFR', 'cluster.local'])).toMatch(/Transfer failed|REFUSED/);
    const any = await dig(port, ['+nocookie', 'ANY', 'web.default.svc.cluster.local']);
    expect(any).toMatch(/ANSWER: 1,/);
    const received = Number(/MSG SIZE\s+rcvd: (\d+)/.exec(any)?.[1]);
    // dig's query: header, the question and an OPT record.
    const sent = 12 + 'web.default.svc.cluster.local'.length + 2 + 4 + 11;
    expect(received / sent).toBeLessThanOrEqual(3);
  });

  it('creates the kube-dns Service and its address once when two dns processes race', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    const other = await startInformer(eventLog, { resources: ['services', 'namespaces', 'ipaddresses'], log });
    await other.synced;
    const otherWriter = createObjectWriter(eventLog, other, { component: 'dns', node: 'node-2' });
    const both = Promise.all([
      ensureKubeDnsService(writer, informer, '10.96.0.10'),
      ensureKubeDnsService(otherWriter, other, '10.96.0.10'),
    ]);
    await writer.put(key('namespaces', 'kube-system', ''), namespace('kube-system'));
    const results = await both;
    expect(results).toContain('created');
    await eventually(() => informer.view.objects.has('services/kube-system/kube-dns'), { what: 'kube-dns' });
    const svc = getObject(informer.view, KUBE_DNS_SERVICE) as KubeObject & { spec: Record<string, unknown> };
    expect(svc.metadata.labels).toEqual({
      'k8s-app': 'kube-dns',
      'kubernetes.io/cluster-service': 'true',
      'kubernetes.io/name': 'CoreDNS',
    });
    expect(svc.spec).toMatchObject({
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      selector: { 'k8s-app': 'kube-dns' },
      type: 'ClusterIP',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    });
    expect(getObject(informer.view, { resource: 'ipaddresses', namespace: '', name: '10.96.0.10' })).toMatchObject({
      spec: { parentRef: { resource: 'services', namespace: 'kube-system', name: 'kube-dns' } },
    });
    expect(await ensureKubeDnsService(writer, informer, '10.96.0.10')).toBe('exists');
    expect((await dig(port, ['+short', 'ns.dns.cluster.local'])).trim()).toBe('10.96.0.10');
    await other.stop();
  });

  it('publishes the coredns pod Ready on the node IP, again after a delete, and not Ready at stop', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'dns', node: 'node-1' });
    const options = { node: 'node-1', nodeIP: '10.250.0.11', containerID: 'kemu://coredns-node-1-1', startedAt: 'now' };
    const stop = keepCorednsPod(writer, informer, options, log);
    const podKey = corednsPodKey('node-1');
    const ready = () => {
      const pod = getObject(informer.view, podKey) as
        | (KubeObject & { status?: { podIP?: string; conditions?: { type: string; status: string }[] } })
        | undefined;
      return pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    };
    await eventually(() => ready() === 'True', { what: 'pod Ready' });
    const pod = getObject(informer.view, podKey) as KubeObject;
    expect(pod.metadata.labels).toEqual({ 'k8s-app': 'kube-dns' });
    expect(pod.metadata.annotations?.['kubernetes.io/config.mirror']).toBeTruthy();
    expect(pod).toMatchObject({ spec: { hostNetwork: true, nodeName: 'node-1' }, status: { podIP: '10.250.0.11' } });
    await writer.remove(podKey, pod);
    await eventually(() => ready() === 'True', { what: 'pod published again' });
    stop();
    await markCorednsPodNotReady(writer, options);
    expect(ready()).toBe('False');
  });
});
