/**
 * Behaviours Kubernetes' own network e2e tests (test/e2e/network/service.go, dns.go)
 * assert, driven through the real kubectl against one 2-node kemu cluster in its default
 * (userspace) proxy mode; each test carries the upstream test's name and, like the e2e
 * framework, mostly runs in a namespace of its own, with agnhost pods as upstream does.
 *
 * Set aside, and why:
 * - NodePort and LoadBalancer reachability (the "functioning NodePort service", type
 *   changes to or from NodePort, NodePort collisions/range/release, session affinity
 *   through NodePorts or load balancers, externalTrafficPolicy and health-check node
 *   ports, the NodePort halves of the terminating-endpoint tests): kemu allocates no node
 *   ports and programs no NodePort, externalIPs or load-balancer rules.
 * - hostNetwork pods ("internalTrafficPolicy=Local Pod (hostNetwork: true)…", the host
 *   exec pods of verifyServeHostnameServiceUp): kemu pods always get their own netns.
 * - dual-stack and multi-CIDR tests: ClusterIPs come from one IPv4 range.
 * - restarting kube-proxy or the apiserver (Disruptive; the chaos suite covers it), SCTP traffic,
 *   evicted pods (no ephemeral-storage eviction), "configurable pod resolv.conf" (it runs
 *   a CoreDNS pod of its own).
 */
import { join } from 'node:path';
import { consistently, eventually } from '@kemu/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { startKubectl } from './background-kubectl.js';
import { parseReplies, repoRoot } from './kemu-cluster.js';
import type { ProxyMode } from './proxy-modes.js';
import {
  DNSUTILS,
  type Labels,
  type Obj,
  agnhostPod,
  createServiceJig,
  service,
  serveHostnameService,
} from './service-jig.js';
import { useCluster } from './use-cluster.js';

/** kemu's default mode; with 'nftables' the whole file passes too (checked by hand: about 2 minutes more). */
const PROXY_MODE = 'userspace' as ProxyMode;
const multiport = `
apiVersion: v1
kind: Pod
metadata:
  name: multi-pod
  labels: { app: multi }
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - { name: a, containerPort: 8080 }
    - { name: b, containerPort: 8081 }
---
apiVersion: v1
kind: Service
metadata:
  name: multi-endpoint-test
spec:
  selector: { app: multi }
  ports:
  - { name: portname1, port: 80, targetPort: a }
  - { name: portname2, port: 81, targetPort: b }
---
# dns.go's probes run dig in the jessie-dnsutils image; nginx's image has no dig.
apiVersion: v1
kind: Pod
metadata:
  name: dnsutils
spec:
  containers:
  - name: dnsutils
    image: registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3
    command: [sleep, infinity]
`;

describe('Kubernetes network e2e behaviours', () => {
  const cluster = useCluster({ name: 'conf', nodes: 2, proxyMode: PROXY_MODE });

  const spec = async (svc: string) =>
    JSON.parse(await cluster.kubectlOk(['get', 'svc', svc, '-o', 'jsonpath={.spec}'])) as {
      type: string;
      clusterIP?: string;
      clusterIPs?: string[];
      externalName?: string;
    };
  const digShort = async (type: string, name: string) =>
    (await cluster.kubectl(['exec', 'dnsutils', '--', 'dig', '+short', type, name])).stdout.trim();

  let nodes: string[] = [];
  const {
    createNamespace,
    apply,
    waitReady,
    getJson,
    clusterIPOf,
    podIPOf,
    sh,
    curl,
    hostnameVia,
    forceDelete,
    validateEndpointsPorts,
    verifyServiceUp,
    verifyServiceDown,
    startServeHostnameService,
  } = createServiceJig(cluster);
  beforeAll(async () => {
    nodes = (await cluster.kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}']))
      .trim()
      .split(/\s+/)
      .sort();
    await cluster.kubectlOk(['apply', '-f', join(repoRoot, 'infra/examples/web.yaml')]);
    await cluster.kubectlOk(['apply', '-f', '-'], { input: multiport });
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod', '--all', '--timeout=55s']);
  }, 90_000);

  it('[sig-network] Services should provide secure master service [Conformance]', async () => {
    const s = await spec('kubernetes');
    expect(s.type).toBe('ClusterIP');
    expect(s.clusterIP).toBe('10.96.0.1');
    const port = await cluster.kubectlOk(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.ports[0].port}']);
    expect(port).toBe('443');
  });

  it('[sig-network] Services should serve multiport endpoints from pods [Conformance]', async () => {
    for (const port of [80, 81]) {
      await eventually(
        async () => {
          const r = await cluster.kubectl([
            'exec',
            'client',
            '--',
            'curl',
            '-sS',
            '-m',
            '3',
            `http://multi-endpoint-test:${port}/`,
          ]);
          return parseReplies(r.stdout)[0]?.pod === 'multi-pod';
        },
        { timeoutMs: 30_000, what: `multi-endpoint-test:${port} to answer` },
      );
    }
  });

  it('[sig-network] Services should be able to change the type from ExternalName to ClusterIP [Conformance]', async () => {
    await cluster.kubectlOk(['create', 'service', 'externalname', 'ext-to-cip', '--external-name', 'example.invalid']);
    expect((await spec('ext-to-cip')).clusterIP ?? '').toBe('');
    await cluster.kubectlOk([
      'patch',
      'svc',
      'ext-to-cip',
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: {
          type: 'ClusterIP',
          externalName: null,
          selector: { app: 'web', tier: 'frontend' },
          ports: [{ name: 'http', port: 80, targetPort: 8080 }],
        },
      }),
    ]);
    const s = await spec('ext-to-cip');
    expect(s.clusterIP).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(s.clusterIPs).toEqual([s.clusterIP]);
    await eventually(
      async () => {
        const r = await cluster.kubectl(['exec', 'client', '--', 'curl', '-sS', '-m', '3', 'http://ext-to-cip/']);
        return /^web-pod-\d$/.test(parseReplies(r.stdout)[0]?.pod ?? '');
      },
      { timeoutMs: 30_000, what: 'ext-to-cip to be reachable by name' },
    );
  });

  it('[sig-network] Services should be able to change the type from ClusterIP to ExternalName [Conformance]', async () => {
    await cluster.kubectlOk(['create', 'service', 'clusterip', 'cip-to-ext', '--tcp=80:8080']);
    expect((await spec('cip-to-ext')).clusterIP).toMatch(/^10\./);
    // No nulls: the apiserver clears clusterIP, clusterIPs and the families itself.
    await cluster.kubectlOk([
      'patch',
      'svc',
      'cip-to-ext',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { type: 'ExternalName', externalName: 'web-service.default.svc.cluster.local' } }),
    ]);
    const s = await spec('cip-to-ext');
    expect(s.type).toBe('ExternalName');
    expect(s.clusterIP).toBeUndefined();
    expect(s.clusterIPs).toBeUndefined();
    await eventually(
      async () =>
        (await digShort('CNAME', 'cip-to-ext.default.svc.cluster.local')) === 'web-service.default.svc.cluster.local.',
      { timeoutMs: 20_000, what: 'the CNAME of cip-to-ext' },
    );
    // The target is a name of the cluster zone: the A query gets the CNAME and web-service's ClusterIP,
    // so the Service answers by its old name (upstream checks reachability through it).
    const webIP = (await spec('web-service')).clusterIP;
    expect((await digShort('A', 'cip-to-ext.default.svc.cluster.local')).split('\n')).toEqual([
      'web-service.default.svc.cluster.local.',
      webIP,
    ]);
    const r = await cluster.kubectl(['exec', 'client', '--', 'curl', '-sS', '-m', '5', 'http://cip-to-ext/']);
    expect(parseReplies(r.stdout)[0]?.pod, r.stdout + r.stderr).toMatch(/^web-pod-\d$/);
  });

  it('[sig-network] DNS should provide DNS for ExternalName services [Conformance]', async () => {
    await cluster.kubectlOk([
      'create',
      'service',
      'externalname',
      'dns-test-service-3',
      '--external-name',
      'foo.example.com',
    ]);
    const fqdn = 'dns-test-service-3.default.svc.cluster.local';
    await eventually(async () => (await digShort('CNAME', fqdn)) === 'foo.example.com.', {
      timeoutMs: 20_000,
      what: 'the CNAME foo.example.com',
    });
    await cluster.kubectlOk([
      'patch',
      'svc',
      'dns-test-service-3',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { externalName: 'bar.example.com' } }),
    ]);
    await eventually(async () => (await digShort('CNAME', fqdn)) === 'bar.example.com.', {
      timeoutMs: 20_000,
      what: 'the CNAME bar.example.com',
    });
    await cluster.kubectlOk([
      'patch',
      'svc',
      'dns-test-service-3',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { type: 'ClusterIP', externalName: null, ports: [{ port: 80, name: 'http' }] } }),
    ]);
    const ip = (await spec('dns-test-service-3')).clusterIP;
    expect(ip).toMatch(/^10\./);
    await eventually(async () => (await digShort('A', fqdn)) === ip, { timeoutMs: 20_000, what: 'the A record' });
  });
  it('[sig-network] Services should be rejected when no endpoints exist', async () => {
    await cluster.kubectlOk(['create', 'service', 'clusterip', 'no-pods', '--tcp=80:8080']);
    await eventually(async () => (await digShort('A', 'no-pods.default.svc.cluster.local')) !== '', {
      timeoutMs: 20_000,
      what: 'no-pods in DNS',
    });
    const started = Date.now();
    const r = await cluster.kubectl(['exec', 'client', '--', 'curl', '-sS', '-m', '10', 'http://no-pods/']);
    // Refused at once (REJECT), not left to time out.
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Couldn't connect to server|Connection refused/);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('[sig-network] DNS should provide DNS for the cluster [Conformance]', async () => {
    expect(await digShort('A', 'kubernetes.default.svc.cluster.local')).toBe('10.96.0.1');
    const viaSearch = await cluster.kubectl([
      'exec',
      'dnsutils',
      '--',
      'dig',
      '+short',
      '+search',
      'A',
      'kubernetes.default',
    ]);
    expect(viaSearch.stdout.trim()).toBe('10.96.0.1');
  });

  it('[sig-network] DNS should provide DNS for services [Conformance]', async () => {
    const ip = (await spec('multi-endpoint-test')).clusterIP;
    expect(await digShort('A', 'multi-endpoint-test.default.svc.cluster.local')).toBe(ip);
    expect(await digShort('SRV', '_portname1._tcp.multi-endpoint-test.default.svc.cluster.local')).toBe(
      '0 100 80 multi-endpoint-test.default.svc.cluster.local.',
    );
    const podIP = (await cluster.kubectlOk(['get', 'pod', 'multi-pod', '-o', 'jsonpath={.status.podIP}'])).trim();
    expect(await digShort('A', `${podIP.replaceAll('.', '-')}.default.pod.cluster.local`)).toBe(podIP);
  });

  it('[sig-network] DNS should provide /etc/hosts entries for the cluster [Conformance]', async () => {
    const podIP = (await cluster.kubectlOk(['get', 'pod', 'client', '-o', 'jsonpath={.status.podIP}'])).trim();
    const hosts = await cluster.kubectlOk(['exec', 'client', '--', 'cat', '/etc/hosts']);
    expect(hosts).toMatch(/^# Kubernetes-managed hosts file/);
    expect(hosts).toContain(`${podIP}\tclient`);
  });

  describe.each([
    {
      name: '[sig-network] Services should serve a basic endpoint from pods [Conformance]',
      ns: 'svc-basic',
      svc: 'endpoint-test2',
      ports: [{ port: 80, targetPort: 80 }],
      pods: [
        { name: 'pod1', port: 80, portName: undefined },
        { name: 'pod2', port: 80, portName: undefined },
      ],
    },
    {
      // kemu's own multiport test above reaches named ports; this one follows upstream's pods and checks.
      name: '[sig-network] Services should serve multiport endpoints from pods [Conformance] (endpoints)',
      ns: 'svc-multi',
      svc: 'multi-endpoint-test',
      ports: [
        { name: 'portname1', port: 80, targetPort: 'svc1' },
        { name: 'portname2', port: 81, targetPort: 'svc2' },
      ],
      pods: [
        { name: 'pod1', port: 100, portName: 'svc1' },
        { name: 'pod2', port: 101, portName: 'svc2' },
      ],
    },
  ])('$name', ({ ns, svc, ports, pods }) => {
    it('lists each pod in Endpoints and EndpointSlices as it comes and goes, and forwards to it', async () => {
      await createNamespace(ns);
      const labels = { testid: svc };
      await apply(ns, service(svc, { selector: labels, ports }), agnhostPod('execpod', ['pause']));
      await validateEndpointsPorts(ns, svc, {});
      const [p1, p2] = pods as [(typeof pods)[0], (typeof pods)[0]];
      const podOf = (p: typeof p1) =>
        agnhostPod(p.name, ['netexec', '--http-port', String(p.port)], {
          labels,
          ports: [{ containerPort: p.port, ...(p.portName ? { name: p.portName } : {}) }],
        });
      const reachable = async (expected: string[]) => {
        const ip = await clusterIPOf(ns, svc);
        for (const sp of ports)
          for (const addr of [`${svc}:${sp.port}`, `${ip}:${sp.port}`])
            await eventually(async () => expected.includes((await hostnameVia(ns, 'execpod', addr)) ?? ''), {
              timeoutMs: 30_000,
              what: `${addr} to answer from one of ${expected.join(', ')}`,
            });
      };
      await apply(ns, podOf(p1));
      await validateEndpointsPorts(ns, svc, { [p1.name]: [p1.port] });
      await waitReady(ns, 'pod/execpod', `pod/${p1.name}`);
      // A multiport Service reaches pod1 only through the port whose target it names.
      if (p1.port === p2.port) await reachable([p1.name]);
      await apply(ns, podOf(p2));
      await validateEndpointsPorts(ns, svc, { [p1.name]: [p1.port], [p2.name]: [p2.port] });
      await waitReady(ns, `pod/${p2.name}`);
      if (p1.port === p2.port) await reachable([p1.name, p2.name]);
      else {
        const ip = await clusterIPOf(ns, svc);
        await eventually(async () => (await hostnameVia(ns, 'execpod', `${ip}:80`)) === p1.name, { timeoutMs: 30_000 });
        await eventually(async () => (await hostnameVia(ns, 'execpod', `${ip}:81`)) === p2.name, { timeoutMs: 30_000 });
      }
      await cluster.kubectlOk(['delete', 'pod', '-n', ns, p1.name, '--wait=false']);
      await validateEndpointsPorts(ns, svc, { [p2.name]: [p2.port] });
      if (p1.port === p2.port) await reachable([p2.name]);
      await cluster.kubectlOk(['delete', 'pod', '-n', ns, p2.name, '--wait=false']);
      await validateEndpointsPorts(ns, svc, {});
    });
  });

  it('[sig-network] Services should allow creating a basic SCTP service with pod and endpoints [LinuxOnly]', async () => {
    // Endpoints only, as upstream: no SCTP traffic (kemu's proxy, like the module-free node upstream checks for, carries none).
    const ns = 'svc-sctp';
    await createNamespace(ns);
    const labels = { testid: 'sctp-endpoint-test' };
    await apply(ns, service('sctp-endpoint-test', { selector: labels, ports: [{ port: 5060, protocol: 'SCTP' }] }));
    await validateEndpointsPorts(ns, 'sctp-endpoint-test', {});
    await apply(ns, agnhostPod('pod1', ['pause'], { labels, ports: [{ containerPort: 5060, protocol: 'SCTP' }] }));
    await validateEndpointsPorts(ns, 'sctp-endpoint-test', { pod1: [5060] });
    await cluster.kubectlOk(['delete', 'pod', '-n', ns, 'pod1', '--wait=false']);
    await validateEndpointsPorts(ns, 'sctp-endpoint-test', {});
  });

  it('[sig-network] Services should be updated after adding or deleting ports', async () => {
    const ns = 'svc-edit-port';
    await createNamespace(ns);
    const labels = { testid: 'edit-port-test' };
    const port1 = { name: 'portname1', port: 80, targetPort: 'svc1' };
    const port2 = { name: 'portname2', port: 81, targetPort: 'svc2' };
    await apply(ns, service('edit-port-test', { selector: labels, ports: [port1] }), agnhostPod('execpod', ['pause']));
    await validateEndpointsPorts(ns, 'edit-port-test', {});
    await apply(
      ns,
      agnhostPod('pod1', ['netexec', '--http-port', '100'], { labels, ports: [{ name: 'svc1', containerPort: 100 }] }),
    );
    await validateEndpointsPorts(ns, 'edit-port-test', { pod1: [100] });
    await waitReady(ns, 'pod/execpod', 'pod/pod1');
    const ip = await clusterIPOf(ns, 'edit-port-test');
    await eventually(async () => (await hostnameVia(ns, 'execpod', `${ip}:80`)) === 'pod1', { timeoutMs: 30_000 });

    // jig.UpdateService: get, change, PUT.
    const update = async (ports: Obj[]) => {
      const svc = await getJson<{ spec: { ports: Obj[] } }>(ns, 'svc', 'edit-port-test');
      svc.spec.ports = ports;
      await cluster.kubectlOk(['replace', '-n', ns, '-f', '-'], { input: JSON.stringify(svc) });
    };
    await update([port1, port2]);
    await apply(
      ns,
      agnhostPod('pod2', ['netexec', '--http-port', '101'], { labels, ports: [{ name: 'svc2', containerPort: 101 }] }),
    );
    await validateEndpointsPorts(ns, 'edit-port-test', { pod1: [100], pod2: [101] });
    await eventually(async () => (await hostnameVia(ns, 'execpod', `${ip}:81`)) === 'pod2', { timeoutMs: 30_000 });

    await update([port1]);
    await validateEndpointsPorts(ns, 'edit-port-test', { pod1: [100] });
    expect(await hostnameVia(ns, 'execpod', `${ip}:80`)).toBe('pod1');
    await eventually(async () => (await hostnameVia(ns, 'execpod', `${ip}:81`)) === undefined, {
      timeoutMs: 30_000,
      what: 'the deleted port to stop answering',
    });
  });

  it('[sig-network] Services should serve endpoints on same port and different protocols [Conformance]', async () => {
    const ns = 'svc-multiprotocol';
    await createNamespace(ns);
    const labels = { app: 'multiport' };
    const tcp = { name: 'tcp-port', port: 80, targetPort: 80, protocol: 'TCP' };
    const udp = { name: 'udp-port', port: 80, targetPort: 80, protocol: 'UDP' };
    await apply(
      ns,
      service('multiprotocol-test', { type: 'ClusterIP', selector: labels, ports: [tcp, udp] }, labels),
      agnhostPod('pod1', ['netexec', '--http-port', '80', '--udp-port', '80'], {
        labels,
        ports: [
          { name: 'tcp-port', containerPort: 80, protocol: 'TCP' },
          { name: 'udp-port', containerPort: 80, protocol: 'UDP' },
        ],
      }),
      // The exec pod is a netexec too: busybox's nc has no UDP, so UDP goes through netexec's /dial.
      agnhostPod('execpod', ['netexec', '--http-port', '8080']),
    );
    await waitReady(ns, 'pod/pod1', 'pod/execpod');
    const endpointProtocols = async () => {
      const slices = await getJson<{ items: { ports?: { protocol: string; port: number }[] | null }[] }>(
        ns,
        'endpointslices',
        '-l',
        'kubernetes.io/service-name=multiprotocol-test',
      );
      return slices.items.flatMap((s) => (s.ports ?? []).map((p) => `${p.protocol}/${p.port}`)).sort();
    };
    await eventually(async () => JSON.stringify(await endpointProtocols()) === '["TCP/80","UDP/80"]', {
      timeoutMs: 30_000,
      what: 'TCP and UDP endpoint ports',
    });
    const ip = await clusterIPOf(ns, 'multiprotocol-test');
    const reach = async (protocol: 'tcp' | 'udp') => {
      const r = await sh(
        ns,
        'execpod',
        curl(
          '127.0.0.1:8080',
          `dial?request=hostname&protocol=${protocol === 'udp' ? 'udp' : 'http'}&host=${ip}&port=80&tries=1`,
        ),
      );
      return r.stdout.includes('"responses":["pod1"]');
    };
    const serving = async (want: { tcp: boolean; udp: boolean }) =>
      eventually(async () => (await reach('tcp')) === want.tcp && (await reach('udp')) === want.udp, {
        timeoutMs: 30_000,
        what: `TCP ${want.tcp ? 'served' : 'refused'} and UDP ${want.udp ? 'served' : 'refused'}`,
      });
    await serving({ tcp: true, udp: true });
    const update = async (ports: Obj[]) => {
      const svc = await getJson<{ spec: { ports: Obj[] } }>(ns, 'svc', 'multiprotocol-test');
      svc.spec.ports = ports;
      await cluster.kubectlOk(['replace', '-n', ns, '-f', '-'], { input: JSON.stringify(svc) });
    };
    await update([tcp]);
    await serving({ tcp: true, udp: false });
    await update([udp]);
    await serving({ tcp: false, udp: true });
  });

  it('[sig-network] Services should serve endpoints on same port and different protocol for internal traffic on Type LoadBalancer', async () => {
    // kemu provisions no load balancer and allocates no node ports: the ClusterIP is what serves here.
    const ns = 'svc-multiprotocol-lb';
    await createNamespace(ns);
    const labels = { testid: 'multiprotocol-lb-test' };
    await apply(
      ns,
      service('multiprotocol-lb-test', {
        type: 'LoadBalancer',
        selector: labels,
        ports: [
          { name: 'portname1', port: 80, targetPort: 'svc1', protocol: 'TCP' },
          { name: 'portname2', port: 80, targetPort: 'svc2', protocol: 'UDP' },
        ],
      }),
      agnhostPod('pod1', ['netexec', '--http-port', '100', '--udp-port', '100'], {
        labels,
        ports: [
          { name: 'svc1', containerPort: 100, protocol: 'TCP' },
          { name: 'svc2', containerPort: 100, protocol: 'UDP' },
        ],
      }),
      agnhostPod('execpod', ['netexec', '--http-port', '8080']),
    );
    await waitReady(ns, 'pod/pod1', 'pod/execpod');
    expect(await clusterIPOf(ns, 'multiprotocol-lb-test')).toMatch(/^10\./);
    const ip = await clusterIPOf(ns, 'multiprotocol-lb-test');
    for (const protocol of ['http', 'udp'])
      await eventually(
        async () =>
          (
            await sh(
              ns,
              'execpod',
              curl('127.0.0.1:8080', `dial?request=hostname&protocol=${protocol}&host=${ip}&port=80&tries=1`),
            )
          ).stdout.includes('"responses":["pod1"]'),
        { timeoutMs: 30_000, what: `${protocol} through ${ip}:80` },
      );
  });

  describe('session affinity (three serve-hostname pods, as upstream)', () => {
    const ns = 'svc-affinity';
    beforeAll(async () => {
      await createNamespace(ns);
      await apply(ns, agnhostPod('execpod-affinity', ['pause']));
    }, 30_000);

    /** checkAffinity: 16 requests in a row; true once the last 15 hit one host, false once they do not. */
    const hostsInARow = async (ip: string) => {
      const r = await sh(
        ns,
        'execpod-affinity',
        `for i in $(seq 0 15); do echo; curl -q -s --connect-timeout 2 http://${ip}:80/; done`,
      );
      return r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(-15);
    };
    const checkAffinity = (ip: string, shouldHold: boolean) =>
      eventually(
        async () => {
          const hosts = await hostsInARow(ip);
          return hosts.length === 15 && (new Set(hosts).size === 1) === shouldHold;
        },
        { timeoutMs: 60_000, what: `affinity ${shouldHold ? 'to hold' : 'not to hold'} for ${ip}` },
      );
    const setAffinity = (svc: string, sessionAffinity: string) =>
      cluster.kubectlOk([
        'patch',
        'svc',
        '-n',
        ns,
        svc,
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { sessionAffinity } }),
      ]);

    it('[sig-network] Services should have session affinity work for service with type clusterIP [LinuxOnly] [Conformance]', async () => {
      const { ip } = await startServeHostnameService(ns, 'affinity-clusterip', 3, {
        type: 'ClusterIP',
        sessionAffinity: 'ClientIP',
      });
      await waitReady(ns, 'pod/execpod-affinity');
      await checkAffinity(ip, true);
    });

    it('[sig-network] Services should be able to switch session affinity for service with type clusterIP [LinuxOnly] [Conformance]', async () => {
      const { ip } = await startServeHostnameService(ns, 'affinity-clusterip-transition', 3, {
        type: 'ClusterIP',
        sessionAffinity: 'ClientIP',
      });
      await waitReady(ns, 'pod/execpod-affinity');
      await setAffinity('affinity-clusterip-transition', 'None');
      await checkAffinity(ip, false);
      await setAffinity('affinity-clusterip-transition', 'ClientIP');
      await checkAffinity(ip, true);
    });

    it('[sig-network] Services should have session affinity timeout work for service with type clusterIP [LinuxOnly]', async () => {
      // Upstream waits out a 125 s timeout; 4 s keeps the same check (sticky within, free after) short.
      const timeoutSeconds = 4;
      const { ip } = await startServeHostnameService(ns, 'affinity-clusterip-timeout', 3, {
        type: 'ClusterIP',
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds } },
      });
      await waitReady(ns, 'pod/execpod-affinity');
      await checkAffinity(ip, true);
      // After the timeout a request may land elsewhere: one request per timeout+1 s, up to 10.
      const hosts = new Set<string>();
      for (let i = 0; i < 10 && hosts.size < 2; i++) {
        const r = await sh(
          ns,
          'execpod-affinity',
          `sleep ${timeoutSeconds + 1}; curl -q -s --connect-timeout 2 http://${ip}:80/`,
        );
        if (r.stdout.trim()) hosts.add(r.stdout.trim());
      }
      expect(hosts.size, `hosts after each timeout: ${[...hosts].join(', ')}`).toBeGreaterThan(1);
    }, 120_000);
  });

  describe.each([
    { label: 'service.kubernetes.io/service-proxy-name', value: 'foo-bar', prefix: 'service-proxy' },
    { label: 'service.kubernetes.io/headless', value: '', prefix: 'service-headless' },
  ])('[sig-network] Services should implement $label', ({ label, value, prefix }) => {
    it('leaves a labelled Service unproxied, and proxies a Service again once the label goes', async () => {
      const ns = `svc-${prefix}`;
      await createNamespace(ns);
      await apply(ns, agnhostPod('execpod', ['pause']));
      const disabledName = prefix === 'service-proxy' ? 'service-proxy-disabled' : 'service-headless';
      const toggledName = `${prefix}-toggled`;
      const disabled = await startServeHostnameService(ns, disabledName, 3, {}, { [label]: value });
      const toggled = await startServeHostnameService(ns, toggledName, 3);
      await waitReady(ns, 'pod/execpod');
      await verifyServiceUp(ns, 'execpod', `${toggled.ip}:80`, toggled.pods);
      await verifyServiceDown(ns, 'execpod', `${disabled.ip}:80`);
      await cluster.kubectlOk(['label', 'svc', '-n', ns, toggledName, `${label}=${value}`]);
      await verifyServiceDown(ns, 'execpod', `${toggled.ip}:80`);
      await cluster.kubectlOk(['label', 'svc', '-n', ns, toggledName, `${label}-`]);
      await verifyServiceUp(ns, 'execpod', `${toggled.ip}:80`, toggled.pods);
      await verifyServiceDown(ns, 'execpod', `${disabled.ip}:80`);
      await cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
    });
  });

  it('[sig-network] Services should create endpoints for unready pods', async () => {
    const ns = 'svc-unready';
    await createNamespace(ns);
    const labels = { testid: 'tolerate-unready' };
    await apply(
      ns,
      service('tolerate-unready', {
        selector: labels,
        ports: [{ name: 'http', port: 80, targetPort: 80 }],
        publishNotReadyAddresses: true,
      }),
      agnhostPod('slow-terminating-unready-pod', ['netexec', '--http-port=80'], {
        labels,
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        readinessProbe: { exec: { command: ['/bin/false'] } },
        lifecycle: { preStop: { exec: { command: ['/bin/sleep', '100'] } } },
        grace: 100,
      }),
      agnhostPod('execpod', ['pause']),
    );
    await waitReady(ns, 'pod/execpod');
    await cluster.kubectlOk([
      'wait',
      '-n',
      ns,
      '--for=jsonpath={.status.phase}=Running',
      'pod/slow-terminating-unready-pod',
      '--timeout=60s',
    ]);
    const svcName = `tolerate-unready.${ns}.svc.cluster.local:80`;
    const answers = async () => (await sh(ns, 'execpod', curl(svcName))).code === 0;
    await eventually(answers, { timeoutMs: 30_000, what: 'the unready endpoint to answer' });

    // Upstream scales its ReplicationController to zero: the pod terminates slowly (preStop sleep).
    await cluster.kubectlOk(['delete', 'pod', '-n', ns, 'slow-terminating-unready-pod', '--wait=false']);
    const setPublish = (v: boolean) =>
      cluster.kubectlOk([
        'patch',
        'svc',
        '-n',
        ns,
        'tolerate-unready',
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { publishNotReadyAddresses: v } }),
      ]);
    await setPublish(false);
    await eventually(async () => !(await answers()), { timeoutMs: 30_000, what: 'the pod to be unreachable' });
    await setPublish(true);
    await eventually(answers, { timeoutMs: 30_000, what: 'the terminating pod to be reachable again' });
    await forceDelete(ns, 'slow-terminating-unready-pod');
  });

  describe.each([
    {
      publish: true,
      name: '[sig-network] Services should be able to connect to terminating and unready endpoints if PublishNotReadyAddresses is true',
    },
    {
      publish: false,
      name: '[sig-network] Services should not be able to connect to terminating and unready endpoints if PublishNotReadyAddresses is false',
    },
  ])('$name', ({ publish }) => {
    // Upstream also checks both nodes' NodePorts; kemu has none, so the ClusterIP half is checked.
    it(`${publish ? 'keeps' : 'stops'} serving through the ClusterIP once the deleted pod turns unready`, async () => {
      const ns = publish ? 'svc-tolerate-unready' : 'svc-not-tolerate-unready';
      const svc = publish ? 'svc-tolerate-unready' : 'svc-not-tolerate-unready';
      await createNamespace(ns);
      const labels = { testid: svc };
      // Upstream probes every 10 s (turning unready takes 30 s after the delete); every 1 s keeps the file short.
      const probe = (path: string) => ({ httpGet: { path, port: 80, scheme: 'HTTP' }, periodSeconds: 1 });
      await apply(
        ns,
        service(svc, {
          ports: [{ port: 80, name: 'http', protocol: 'TCP', targetPort: 80 }],
          selector: labels,
          publishNotReadyAddresses: publish,
        }),
        agnhostPod('webserver-pod', ['netexec', '--http-port=80', '--delay-shutdown=300'], {
          labels,
          ports: [{ containerPort: 80 }],
          readinessProbe: probe('/readyz'),
          livenessProbe: probe('/healthz'),
          grace: 300,
          nodeName: nodes[0],
        }),
        agnhostPod('pause-pod-1', ['pause'], { nodeName: nodes[1] }),
      );
      await waitReady(ns, 'pod/webserver-pod', 'pod/pause-pod-1');
      await validateEndpointsPorts(ns, svc, { 'webserver-pod': [80] });
      const ip = await clusterIPOf(ns, svc);
      await cluster.kubectlOk(['delete', 'pod', '-n', ns, 'webserver-pod', '--wait=false']);
      await cluster.kubectlOk(['wait', '-n', ns, '--for=condition=Ready=false', 'pod/webserver-pod', '--timeout=60s']);
      if (publish) {
        await consistently(async () => (await hostnameVia(ns, 'pause-pod-1', `${ip}:80`)) === 'webserver-pod', {
          forMs: 8_000,
          everyMs: 2_000,
          what: 'the terminating, unready endpoint to answer',
        });
      } else {
        await eventually(async () => (await hostnameVia(ns, 'pause-pod-1', `${ip}:80`)) === undefined, {
          timeoutMs: 30_000,
          what: 'the terminating endpoint to stop answering',
        });
        await consistently(async () => (await hostnameVia(ns, 'pause-pod-1', `${ip}:80`)) === undefined, {
          forMs: 8_000,
          everyMs: 2_000,
          what: 'the ClusterIP to refuse',
        });
      }
      await forceDelete(ns, 'webserver-pod');
    });
  });

  it('[sig-network] Services should respect internalTrafficPolicy=Local Pod to Pod', async () => {
    // In userspace mode a node without a local endpoint refuses the connection; kube-proxy's
    // nftables mode (and kemu's) drops or rejects it: either way the request fails.
    const ns = 'svc-itp';
    await createNamespace(ns);
    const labels = { testid: 'svc-itp' };
    await apply(
      ns,
      service('svc-itp', {
        ports: [{ port: 80, name: 'http', protocol: 'TCP', targetPort: 80 }],
        selector: labels,
        internalTrafficPolicy: 'Local',
      }),
      agnhostPod('echo-hostname-0', ['netexec', '--http-port', '80'], { labels, nodeName: nodes[0] }),
      agnhostPod('pause-pod-0', ['pause'], { nodeName: nodes[0] }),
      agnhostPod('pause-pod-1', ['pause'], { nodeName: nodes[1] }),
    );
    await waitReady(ns, 'pod/echo-hostname-0', 'pod/pause-pod-0', 'pod/pause-pod-1');
    await validateEndpointsPorts(ns, 'svc-itp', { 'echo-hostname-0': [80] });
    const addr = `${await clusterIPOf(ns, 'svc-itp')}:80`;
    await eventually(async () => (await hostnameVia(ns, 'pause-pod-0', addr)) === 'echo-hostname-0', {
      timeoutMs: 30_000,
    });
    for (let i = 0; i < 5; i++) {
      expect(await hostnameVia(ns, 'pause-pod-0', addr)).toBe('echo-hostname-0');
      expect(await hostnameVia(ns, 'pause-pod-1', addr)).toBeUndefined();
    }
  });

  describe.each([
    {
      policy: 'Cluster',
      name: '[sig-network] Services should fallback to terminating endpoints when there are no ready endpoints with internalTrafficPolicy=Cluster',
    },
    {
      policy: 'Local',
      name: '[sig-network] Services should fallback to local terminating endpoints when there are no ready endpoints with internalTrafficPolicy=Local',
    },
  ])('$name', ({ policy }) => {
    it(`serves through the only, terminating endpoint (${policy === 'Local' ? 'from its node only' : 'from both nodes'})`, async () => {
      const ns = `svc-terminating-${policy.toLowerCase()}`;
      await createNamespace(ns);
      const labels = { testid: 'svc-proxy-terminating' };
      await apply(
        ns,
        service('svc-proxy-terminating', {
          ports: [{ port: 80, name: 'http', protocol: 'TCP', targetPort: 80 }],
          selector: labels,
          internalTrafficPolicy: policy,
        }),
        agnhostPod('echo-hostname-0', ['netexec', '--http-port', '80', '--delay-shutdown', '100'], {
          labels,
          grace: 100,
          nodeName: nodes[0],
        }),
        agnhostPod('pause-pod-0', ['pause'], { nodeName: nodes[0] }),
        agnhostPod('pause-pod-1', ['pause'], { nodeName: nodes[1] }),
      );
      await waitReady(ns, 'pod/echo-hostname-0', 'pod/pause-pod-0', 'pod/pause-pod-1');
      await validateEndpointsPorts(ns, 'svc-proxy-terminating', { 'echo-hostname-0': [80] });
      const addr = `${await clusterIPOf(ns, 'svc-proxy-terminating')}:80`;
      // It serves on for the 100 s --delay-shutdown; its slice endpoint turns ready=false, serving and terminating.
      await cluster.kubectlOk(['delete', 'pod', '-n', ns, 'echo-hostname-0', '--wait=false']);
      await eventually(
        async () =>
          (
            await cluster.kubectlOk([
              'get',
              'endpointslices',
              '-n',
              ns,
              '-l',
              'kubernetes.io/service-name=svc-proxy-terminating',
              '-o',
              'jsonpath={.items[*].endpoints[*].conditions.terminating}',
            ])
          ).trim() === 'true',
        { timeoutMs: 30_000, what: 'the endpoint to be terminating' },
      );
      await consistently(
        async () =>
          (await hostnameVia(ns, 'pause-pod-0', addr)) === 'echo-hostname-0' &&
          (await hostnameVia(ns, 'pause-pod-1', addr)) === (policy === 'Local' ? undefined : 'echo-hostname-0'),
        { forMs: 6_000, everyMs: 2_000, what: `the terminating endpoint to serve (${policy})` },
      );
      await forceDelete(ns, 'echo-hostname-0');
    });
  });

  it('[sig-network] Services should find a service from listing all namespaces [Conformance]', async () => {
    const all = await cluster.kubectlOk([
      'get',
      'services',
      '--all-namespaces',
      '-o',
      'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
    ]);
    expect(all.split('\n')).toContain('default/kubernetes');
  });

  it('[sig-network] Services should test the lifecycle of an Endpoint [Conformance]', async () => {
    const ns = 'svc-endpoint-lifecycle';
    await createNamespace(ns);
    const watch = startKubectl(cluster, [
      'get',
      'endpoints',
      '-n',
      ns,
      '-l',
      'test-endpoint-static=true',
      '--watch',
      '--output-watch-events',
      '-o',
      'json',
    ]);
    const events = (type: string) => watch.stdout().match(new RegExp(`"type":\\s*"${type}"`, 'g'))?.length ?? 0;
    try {
      // --watch lists first (an object created before the watch started shows as ADDED too).
      await apply(ns, {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'testservice', labels: { 'test-endpoint-static': 'true' } },
        subsets: [{ addresses: [{ ip: '10.0.0.24' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
      });
      await eventually(() => events('ADDED') >= 1, { timeoutMs: 30_000, what: `an ADDED event (${watch.stderr()})` });
      const listed = await getJson<{ items: { metadata: { name: string; namespace: string; labels: Labels } }[] }>(
        ns,
        'endpoints',
        '--all-namespaces',
        '-l',
        'test-endpoint-static=true',
      );
      const found = listed.items.find((e) => e.metadata.name === 'testservice' && e.metadata.namespace === ns);
      expect(found).toBeDefined();

      const current = await getJson<{ metadata: { labels: Labels } }>(ns, 'endpoints', 'testservice');
      current.metadata.labels['test-service'] = 'updated';
      await cluster.kubectlOk(['replace', '-n', ns, '-f', '-'], { input: JSON.stringify(current) });
      await eventually(() => events('MODIFIED') >= 1, { timeoutMs: 30_000, what: 'a MODIFIED event for the update' });
      expect(
        (await getJson<{ metadata: { labels: Labels } }>(ns, 'endpoints', 'testservice')).metadata.labels[
          'test-service'
        ],
      ).toBe('updated');

      await cluster.kubectlOk([
        'patch',
        'endpoints',
        '-n',
        ns,
        'testservice',
        '--type=strategic',
        '-p',
        JSON.stringify({
          metadata: { labels: { 'test-service': 'patched' } },
          subsets: [{ addresses: [{ ip: '10.0.0.25' }], ports: [{ name: 'http-test', port: 8080 }] }],
        }),
      ]);
      await eventually(() => events('MODIFIED') >= 2, { timeoutMs: 30_000, what: 'a MODIFIED event for the patch' });
      const patched = await getJson<{
        metadata: { labels: Labels };
        subsets: { addresses: { ip: string }[]; ports: { name: string; port: number }[] }[];
      }>(ns, 'endpoints', 'testservice');
      expect(patched.metadata.labels['test-service']).toBe('patched');
      expect(patched.subsets[0]?.addresses[0]?.ip).toBe('10.0.0.25');
      expect(patched.subsets[0]?.ports[0]).toMatchObject({ name: 'http-test', port: 8080 });

      // DeleteCollection by label.
      await cluster.kubectlOk([
        'delete',
        '--raw',
        `/api/v1/namespaces/${ns}/endpoints?labelSelector=test-endpoint-static%3Dtrue`,
      ]);
      await eventually(() => events('DELETED') >= 1, { timeoutMs: 30_000, what: 'a DELETED event' });
      const gone = await cluster.kubectl(['get', 'endpoints', '-n', ns, 'testservice']);
      expect(gone.code).not.toBe(0);
      expect(gone.stderr).toMatch(/NotFound|not found/);
    } finally {
      await watch.stop();
    }
  });

  it('[sig-network] Services should complete a service status lifecycle [Conformance]', async () => {
    const ns = 'svc-status';
    await createNamespace(ns);
    const name = 'test-service-ab1cd';
    const watch = startKubectl(cluster, [
      'get',
      'services',
      '-n',
      ns,
      '-l',
      'test-service-static=true',
      '--watch',
      '--output-watch-events',
      '-o',
      'json',
    ]);
    try {
      await apply(
        ns,
        service(
          name,
          {
            type: 'LoadBalancer',
            ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
            loadBalancerClass: 'example.com/internal-vip',
          },
          { 'test-service-static': 'true' },
        ),
      );
      await watch.waitFor(/"type":\s*"ADDED"/, 30_000);
      const status = JSON.parse(
        await cluster.kubectlOk(['get', '--raw', `/api/v1/namespaces/${ns}/services/${name}/status`]),
      ) as {
        kind: string;
        status: Obj;
      };
      expect(status.kind).toBe('Service');
      expect(status.status).toEqual({ loadBalancer: {} });

      await cluster.kubectlOk([
        'patch',
        'svc',
        '-n',
        ns,
        name,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          metadata: { annotations: { patchedstatus: 'true' } },
          status: { loadBalancer: { ingress: [{ ip: '203.0.113.1' }] } },
        }),
      ]);
      await watch.waitFor(/"patchedstatus":\s*"true"/, 30_000);
      expect(
        await cluster.kubectlOk(['get', 'svc', '-n', ns, name, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']),
      ).toBe('203.0.113.1');

      const svc = await getJson<{ status: { conditions?: Obj[] } }>(ns, 'svc', name);
      svc.status.conditions = [
        ...(svc.status.conditions ?? []),
        {
          type: 'StatusUpdate',
          status: 'True',
          reason: 'E2E',
          message: 'Set from e2e test',
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ];
      await cluster.kubectlOk(['replace', '-n', ns, '--subresource=status', '-f', '-'], { input: JSON.stringify(svc) });
      await watch.waitFor(/"message":\s*"Set from e2e test"/, 30_000);

      await cluster.kubectlOk([
        'patch',
        'svc',
        '-n',
        ns,
        name,
        '-p',
        JSON.stringify({ metadata: { labels: { 'test-service': 'patched' } } }),
      ]);
      await watch.waitFor(/"test-service":\s*"patched"/, 30_000);

      await cluster.kubectlOk(['delete', 'svc', '-n', ns, name]);
      await watch.waitFor(/"type":\s*"DELETED"/, 30_000);
    } finally {
      await watch.stop();
    }
  });

  it('[sig-network] Services should delete a collection of services [Conformance]', async () => {
    const ns = 'svc-delete-collection';
    await createNamespace(ns);
    const svc = (name: string, label: string, port: number) =>
      service(
        name,
        { type: 'ClusterIP', ports: [{ name: 'http', protocol: 'TCP', port, targetPort: port }] },
        { 'e2e-test-service': label },
      );
    await apply(
      ns,
      svc('e2e-svc-a-xk2pq', 'delete', 8001),
      svc('e2e-svc-b-q9zm3', 'delete', 8002),
      svc('e2e-svc-c-m4t7w', 'keep', 8003),
    );
    const count = async () => (await getJson<{ items: unknown[] }>(ns, 'services')).items.length;
    expect(await count()).toBe(3);
    await cluster.kubectlOk([
      'delete',
      '--raw',
      `/api/v1/namespaces/${ns}/services?labelSelector=e2e-test-service%3Ddelete`,
    ]);
    expect(await count()).toBe(1);
  });

  it('[sig-network] Services should work after the service has been recreated', async () => {
    const ns = 'svc-recreate';
    await createNamespace(ns);
    await apply(ns, agnhostPod('verify-service-up-exec-pod', ['pause']));
    const { pods, ip } = await startServeHostnameService(ns, 'service-deletion', 1);
    await waitReady(ns, 'pod/verify-service-up-exec-pod');
    await verifyServiceUp(ns, 'verify-service-up-exec-pod', `${ip}:80`, pods);
    await cluster.kubectlOk(['delete', 'svc', '-n', ns, 'service-deletion']);
    await eventually(async () => (await cluster.kubectl(['get', 'svc', '-n', ns, 'service-deletion'])).code !== 0, {
      timeoutMs: 30_000,
      what: 'the Service to disappear',
    });
    await apply(ns, serveHostnameService('service-deletion'));
    await verifyServiceUp(ns, 'verify-service-up-exec-pod', `${await clusterIPOf(ns, 'service-deletion')}:80`, pods);
  });

  it('[sig-network] Services should be able to up and down services', async () => {
    const ns = 'svc-up-down';
    await createNamespace(ns);
    await apply(ns, agnhostPod('verify-service-up-exec-pod', ['pause']));
    const exec = 'verify-service-up-exec-pod';
    const svc1 = await startServeHostnameService(ns, 'up-down-1', 3);
    const svc2 = await startServeHostnameService(ns, 'up-down-2', 3);
    await waitReady(ns, `pod/${exec}`);
    await verifyServiceUp(ns, exec, `${svc1.ip}:80`, svc1.pods);
    await verifyServiceUp(ns, exec, `${svc2.ip}:80`, svc2.pods);
    // StopServeHostnameService: the workload and then the Service.
    await cluster.kubectlOk(['delete', 'deployment', '-n', ns, 'up-down-1']);
    await cluster.kubectlOk(['delete', 'svc', '-n', ns, 'up-down-1']);
    await verifyServiceDown(ns, exec, `${svc1.ip}:80`);
    await verifyServiceUp(ns, exec, `${svc2.ip}:80`, svc2.pods);
    const svc3 = await startServeHostnameService(ns, 'up-down-3', 3);
    expect(svc3.ip).not.toBe(svc2.ip);
    await verifyServiceUp(ns, exec, `${svc2.ip}:80`, svc2.pods);
    await verifyServiceUp(ns, exec, `${svc3.ip}:80`, svc3.pods);
    await cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('[sig-network] Services should allow pods to hairpin back to themselves through services', async () => {
    const ns = 'svc-hairpin';
    await createNamespace(ns);
    const labels = { testid: 'hairpin-test' };
    await apply(
      ns,
      service('hairpin-test', { selector: labels, ports: [{ port: 8080, targetPort: 8080 }] }),
      agnhostPod('hairpin', ['netexec', '--http-port', '8080'], { labels }),
    );
    await waitReady(ns, 'pod/hairpin');
    await validateEndpointsPorts(ns, 'hairpin-test', { hairpin: [8080] });
    const ip = await clusterIPOf(ns, 'hairpin-test');
    for (const addr of [`hairpin-test:8080`, `${ip}:8080`])
      await eventually(async () => (await hostnameVia(ns, 'hairpin', addr)) === 'hairpin', {
        timeoutMs: 30_000,
        what: `the pod to reach itself through ${addr}`,
      });
  });

  it('[sig-network] Services should preserve source pod IP for traffic thru service cluster IP [LinuxOnly]', async () => {
    // The userspace proxier dials the endpoint itself, so the endpoint sees an address of
    // the client's node, not the client pod (upstream skipped this test in userspace mode).
    // nftables mode only DNATs: there the endpoint sees the client pod's IP, as upstream asserts.
    const ns = 'svc-sourceip';
    await createNamespace(ns);
    const labels = { testid: 'sourceip-test' };
    await apply(
      ns,
      service('sourceip-test', { selector: labels, ports: [{ port: 8080, targetPort: 8080 }] }),
      agnhostPod('echo-sourceip', ['netexec', '--http-port', '8080'], { labels, nodeName: nodes[0] }),
      agnhostPod('pause-pod-0', ['pause'], { nodeName: nodes[0] }),
      agnhostPod('pause-pod-1', ['pause'], { nodeName: nodes[1] }),
    );
    await waitReady(ns, 'pod/echo-sourceip', 'pod/pause-pod-0', 'pod/pause-pod-1');
    await validateEndpointsPorts(ns, 'sourceip-test', { 'echo-sourceip': [8080] });
    const ip = await clusterIPOf(ns, 'sourceip-test');
    for (const [i, pod] of ['pause-pod-0', 'pause-pod-1'].entries()) {
      const clientIP = await eventually(
        async () => (await hostnameVia(ns, pod, `${ip}:8080`, 'clientip'))?.split(':')[0],
        {
          timeoutMs: 30_000,
        },
      );
      const node = nodes[i] as string;
      const n = await getJson<{
        spec: { podCIDR: string };
        status: { addresses: { type: string; address: string }[] };
      }>('default', 'node', node);
      // The node's own addresses: its InternalIP, and its pod bridge (the podCIDR's first address).
      const bridge = n.spec.podCIDR.replace(/\.0\/\d+$/, '.1');
      const nodeAddresses = [
        ...n.status.addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address),
        bridge,
      ];
      if (PROXY_MODE === 'nftables') expect(clientIP, `${pod} on ${node} seen as`).toBe(await podIPOf(ns, pod));
      else expect(nodeAddresses, `${pod} on ${node} seen as ${clientIP}`).toContain(clientIP);
    }
  });

  describe('DNS for pods (one jessie-dnsutils pod with hostname and subdomain, as createDNSPod builds it)', () => {
    const ns = 'dns-pods';
    const fqdn = `dns-querier-2.dns-test-service-2.${ns}.svc.cluster.local`;
    /** dig as createProbeCommand runs it: +search over UDP and TCP; true when both answer. */
    const digBoth = async (name: string, type: string) => {
      const r = await sh(
        ns,
        'dns-querier',
        `udp=$(dig +notcp +noall +answer +search ${name} ${type}); tcp=$(dig +tcp +noall +answer +search ${name} ${type}); echo "udp:$udp"; echo "tcp:$tcp"`,
      );
      return /^udp:\S/m.test(r.stdout) && /^tcp:\S/m.test(r.stdout);
    };
    beforeAll(async () => {
      await createNamespace(ns);
      const http = [{ name: 'http', port: 80, protocol: 'TCP' }];
      await apply(
        ns,
        service('dns-test-service-2', {
          clusterIP: 'None',
          selector: { 'dns-test-hostname-attribute': 'true' },
          ports: http,
        }),
        service('dns-test-service', { clusterIP: 'None', selector: { 'dns-test': 'true' }, ports: http }),
        service('test-service-2', { selector: { 'dns-test': 'true' }, ports: http }),
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'dns-querier', labels: { 'dns-test-hostname-attribute': 'true', 'dns-test': 'true' } },
          spec: {
            hostname: 'dns-querier-2',
            subdomain: 'dns-test-service-2',
            containers: [
              {
                name: 'querier',
                image: DNSUTILS,
                command: ['sleep', 'infinity'],
                ports: [{ name: 'http', containerPort: 80 }],
              },
            ],
          },
        },
      );
      await waitReady(ns, 'pod/dns-querier');
    }, 120_000);

    it('[sig-network] DNS should provide DNS for pods for Hostname [LinuxOnly] [Conformance]', async () => {
      // getent hosts reads /etc/hosts: the kubelet writes the FQDN and the hostname there.
      const podIP = await podIPOf(ns, 'dns-querier');
      const hosts = (await sh(ns, 'dns-querier', 'cat /etc/hosts')).stdout;
      expect(hosts).toContain(`${podIP}\t${fqdn}\tdns-querier-2`);
      expect((await sh(ns, 'dns-querier', 'hostname')).stdout.trim()).toBe('dns-querier-2');
    });

    it('[sig-network] DNS should provide DNS for pods for Subdomain [Conformance]', async () => {
      for (const name of [fqdn, 'dns-test-service-2', `dns-test-service-2.${ns}`, `dns-test-service-2.${ns}.svc`])
        await eventually(() => digBoth(name, 'A'), { timeoutMs: 30_000, what: `A records for ${name}` });
      const podIP = await podIPOf(ns, 'dns-querier');
      expect((await sh(ns, 'dns-querier', `dig +short ${fqdn} A`)).stdout.trim()).toBe(podIP);
    });

    it('[sig-network] DNS should resolve DNS of partial qualified names for services [LinuxOnly] [Conformance]', async () => {
      const names: [string, string][] = [
        ['dns-test-service', 'A'],
        [`dns-test-service.${ns}`, 'A'],
        [`dns-test-service.${ns}.svc`, 'A'],
        [`_http._tcp.dns-test-service.${ns}.svc`, 'SRV'],
        [`_http._tcp.test-service-2.${ns}.svc`, 'SRV'],
      ];
      for (const [name, type] of names)
        await eventually(() => digBoth(name, type), { timeoutMs: 30_000, what: `${type} ${name}` });
      const podIP = await podIPOf(ns, 'dns-querier');
      expect(await digBoth(`${podIP.replaceAll('.', '-')}.${ns}.pod.cluster.local`, 'A')).toBe(true);
    });

    it('[sig-network] DNS should resolve DNS of partial qualified names for the cluster [LinuxOnly]', async () => {
      for (const name of ['kubernetes.default', 'kubernetes.default.svc'])
        expect(await digBoth(name, 'A'), name).toBe(true);
      const hosts = (await sh(ns, 'dns-querier', 'cat /etc/hosts')).stdout;
      expect(hosts).toMatch(new RegExp(`\\t${fqdn.replaceAll('.', '\\.')}\\tdns-querier-2\\n`));
    });

    it('[sig-network] DNS should provide DNS for services [Conformance] (PTR of a ClusterIP)', async () => {
      const ip = await clusterIPOf(ns, 'test-service-2');
      const ptr = `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
      expect(await digBoth(ptr, 'PTR')).toBe(true);
      expect((await sh(ns, 'dns-querier', `dig +short ${ptr} PTR`)).stdout.trim()).toBe(
        `test-service-2.${ns}.svc.cluster.local.`,
      );
    });
  });

  it('[sig-network] DNS should work with the pod containing more than 6 DNS search paths and longer than 256 search list characters', async () => {
    const ns = 'dns-search-paths';
    await createNamespace(ns);
    const searches = [1, 2, 3, 4, 5, 6].map((i) => `${String(i).padStart(38, '0')}.k8s.io`);
    await apply(ns, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'dns-querier' },
      spec: {
        hostname: 'dns-querier-1',
        subdomain: 'dns-test-service',
        dnsPolicy: 'ClusterFirst',
        dnsConfig: { searches },
        containers: [{ name: 'querier', image: DNSUTILS, command: ['sleep', 'infinity'] }],
      },
    });
    await waitReady(ns, 'pod/dns-querier');
    const conf = (await sh(ns, 'dns-querier', 'cat /etc/resolv.conf')).stdout;
    const search = conf.split('\n').find((l) => l.startsWith('search ')) ?? '';
    expect(search.split(' ').slice(1)).toEqual([
      `${ns}.svc.cluster.local`,
      'svc.cluster.local',
      'cluster.local',
      ...searches,
    ]);
    expect(search.length).toBeGreaterThan(256);
    for (const name of ['kubernetes.default', 'kubernetes.default.svc']) {
      const r = await sh(ns, 'dns-querier', `dig +notcp +short +search ${name} A; dig +tcp +short +search ${name} A`);
      expect(r.stdout.trim().split('\n'), name).toEqual(['10.96.0.1', '10.96.0.1']);
    }
    const hosts = (await sh(ns, 'dns-querier', 'cat /etc/hosts')).stdout;
    expect(hosts).toContain(`\tdns-querier-1.dns-test-service.${ns}.svc.cluster.local\tdns-querier-1`);
  });

  it('[sig-network] DNS should support configurable pod DNS nameservers [Conformance]', async () => {
    const ns = 'dns-nameservers';
    await createNamespace(ns);
    const pod = agnhostPod('test-dns-nameservers', ['pause']);
    (pod.spec as Obj).dnsPolicy = 'None';
    (pod.spec as Obj).dnsConfig = { nameservers: ['1.1.1.1'], searches: ['resolv.conf.local'] };
    await apply(ns, pod);
    await waitReady(ns, 'pod/test-dns-nameservers');
    // agnhost's dns-suffix and dns-server-list read /etc/resolv.conf.
    const conf = (await sh(ns, 'test-dns-nameservers', 'cat /etc/resolv.conf')).stdout;
    expect(conf).toMatch(/^nameserver 1\.1\.1\.1$/m);
    expect(conf).toMatch(/^search resolv\.conf\.local$/m);
    expect(conf).not.toMatch(/cluster\.local/);
  });
});
