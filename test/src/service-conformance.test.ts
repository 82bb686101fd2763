/**
 * Behaviours Kubernetes' own network e2e tests (test/e2e/network/service.go, dns.go)
 * assert, driven through the real kubectl against a kemu cluster; each test carries
 * the upstream test's name. Set aside: NodePort, LoadBalancer, session affinity
 * timeouts through NodePorts, dual-stack and multi-CIDR tests (kemu has ClusterIPs on
 * one IPv4 family only, no node ports and no load balancers).
 */
import { join } from 'node:path';
import { eventually } from '@kemu/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReplies, repoRoot } from './kemu-cluster.js';
import { useCluster } from './use-cluster.js';

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
  const cluster = useCluster({ name: 'conf', nodes: 2 });

  const spec = async (svc: string) =>
    JSON.parse(await cluster.kubectlOk(['get', 'svc', svc, '-o', 'jsonpath={.spec}'])) as {
      type: string;
      clusterIP?: string;
      clusterIPs?: string[];
      externalName?: string;
    };
  const digShort = async (type: string, name: string) =>
    (await cluster.kubectl(['exec', 'dnsutils', '--', 'dig', '+short', type, name])).stdout.trim();

  beforeAll(async () => {
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
});
