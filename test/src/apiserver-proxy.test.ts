/**
 * The apiserver proxy with the real kubectl: `kubectl get --raw` and `kubectl proxy` +
 * curl reach a Service through a ready endpoint (by port number or name), a pod by
 * IP and port, and a node's endpoints (`/healthz`, `/pods`). The node-agent of the
 * target makes the connection; the ClusterIP itself stays unreachable from the host.
 */
import { eventually } from '@kemu/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackgroundKubectl, startKubectl } from './background-kubectl.js';
import { parseReplies, runCommand } from './kemu-cluster.js';
import { useCluster } from './use-cluster.js';

const manifest = `
apiVersion: v1
kind: Service
metadata:
  name: px-web
spec:
  selector: { app: px-web }
  ports:
  - { name: web, port: 80, targetPort: http }
---
apiVersion: v1
kind: Pod
metadata:
  name: px-pod
  labels: { app: px-web }
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - { name: http, containerPort: 8080 }
---
apiVersion: v1
kind: Service
metadata:
  name: px-empty
spec:
  selector: { app: nothing-here }
  ports:
  - { port: 80 }
`;

describe('the apiserver proxy', () => {
  const cluster = useCluster({ name: 'prxy', nodes: 2 });
  let proxy: BackgroundKubectl | undefined;
  let proxyPort = 0;

  beforeAll(async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest });
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/px-pod', '--timeout=90s'], { timeoutMs: 100_000 });
    // The Service's endpoint is ready once the EndpointSlice says so.
    await eventually(
      async () =>
        (await cluster.kubectl(['get', '--raw', '/api/v1/namespaces/default/services/px-web:80/proxy/'])).code === 0,
      { timeoutMs: 30_000, what: 'the service proxy to answer' },
    );
    proxy = startKubectl(cluster, ['proxy', '--port=0']);
    const m = await proxy.waitFor(/Starting to serve on 127\.0\.0\.1:(\d+)/);
    proxyPort = Number(m[1]);
  }, 150_000);

  afterAll(async () => {
    await proxy?.stop();
  });

  it('reaches a Service by port number and by port name with kubectl get --raw, passing path and query', async () => {
    const byNumber = parseReplies(
      await cluster.kubectlOk(['get', '--raw', '/api/v1/namespaces/default/services/px-web:80/proxy/a/b?c=d']),
    )[0];
    expect(byNumber?.pod).toBe('px-pod');
    expect(byNumber?.path).toBe('/a/b?c=d');
    const byName = parseReplies(
      await cluster.kubectlOk(['get', '--raw', '/api/v1/namespaces/default/services/px-web:web/proxy/']),
    )[0];
    expect(byName?.pod).toBe('px-pod');
  });

  it('reaches services, pods and nodes through kubectl proxy and curl', async () => {
    const base = `http://127.0.0.1:${proxyPort}/api/v1`;
    const svc = await runCommand('curl', ['-sS', '-m', '10', `${base}/namespaces/default/services/px-web:80/proxy/s`]);
    expect(parseReplies(svc.stdout)[0]?.path).toBe('/s');
    const pod = await runCommand('curl', ['-sS', '-m', '10', `${base}/namespaces/default/pods/px-pod:8080/proxy/p`]);
    const reply = parseReplies(pod.stdout)[0];
    expect(reply?.pod).toBe('px-pod');
    // The connection comes from the pod's node (its bridge), not from the apiserver host.
    expect(reply?.client).toMatch(/^10\.244\.\d+\.1:/);
    const node = (await cluster.kubectlOk(['get', 'pod', 'px-pod', '-o', 'jsonpath={.spec.nodeName}'])).trim();
    const healthz = await runCommand('curl', ['-sS', '-m', '10', `${base}/nodes/${node}/proxy/healthz`]);
    expect(healthz.stdout).toBe('ok');
    const pods = await runCommand('curl', ['-sS', '-m', '10', `${base}/nodes/${node}/proxy/pods`]);
    const list = JSON.parse(pods.stdout) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).toBe('PodList');
    expect(list.items.map((p) => p.metadata.name)).toContain('px-pod');
  });

  it('answers 503 for a Service without ready endpoints and for a port nothing listens on', async () => {
    const empty = await cluster.kubectl(['get', '--raw', '/api/v1/namespaces/default/services/px-empty/proxy/']);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/ServiceUnavailable.*no endpoints available for service "px-empty"/);
    const refused = await cluster.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/px-pod:9999/proxy/']);
    expect(refused.stderr).toMatch(/error trying to reach service: dial tcp [\d.]+:9999: connect: connection refused/);
  });

  it('honours the https: prefix (a TLS handshake with the plain-HTTP pod fails)', async () => {
    const r = await cluster.kubectl(['get', '--raw', '/api/v1/namespaces/default/services/https:px-web:80/proxy/']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error trying to reach service: .*(SSL|TLS|wrong version)/i);
  });

  it('leaves the ClusterIP unreachable from the host: no route into the cluster', async () => {
    const ip = (await cluster.kubectlOk(['get', 'svc', 'px-web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    // The host routes the ClusterIP like any outside address (its default route), so no
    // packet reaches the cluster; checked on the routing table, without sending one.
    const via = async (address: string) =>
      (await runCommand('ip', ['-o', 'route', 'get', address])).stdout
        .replace(address, '')
        .replace(/ uid \d+.*$/s, '')
        .trim();
    expect(await via(ip)).toBe(await via('198.51.100.1'));
  });
});
