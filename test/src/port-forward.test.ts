/**
 * `kubectl port-forward` with the real kubectl against a real kemu cluster: to a pod, a
 * Service (kubectl picks a running pod by the selector and maps the Service port to
 * the target port), a Deployment with named ports, several ports at once and
 * `--address`. kubectl 1.32 tunnels SPDY/3.1 in a WebSocket; the apiserver relays each
 * connection to the pod's node-agent, which dials localhost inside the pod's network
 * namespace. Many concurrent curls share one forward, a port nothing listens on gives
 * the kubelet's error, a bulk body arrives whole, and deleting the pod ends the forward
 * with kubectl's "lost connection to pod".
 */
import { join } from 'node:path';
import { eventually } from '@kemu/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BackgroundKubectl, startKubectl } from './background-kubectl.js';
import { parseReplies, repoRoot, runCommand } from './kemu-cluster.js';
import { useCluster } from './use-cluster.js';

const webYaml = join(repoRoot, 'infra/examples/web.yaml');

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pf-web
spec:
  replicas: 1
  selector:
    matchLabels: { app: pf-web }
  template:
    metadata:
      labels: { app: pf-web }
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - { name: http, containerPort: 8080 }
        - { name: admin, containerPort: 9090 }
`;

/** curl through a forward; stdout is the body. */
function curl(url: string, flags: string[] = []) {
  return runCommand('curl', ['-sS', '-m', '10', ...flags, url], { timeoutMs: 20_000 });
}

describe('kubectl port-forward', () => {
  const cluster = useCluster({ name: 'pfwd', nodes: 2 });
  const running: BackgroundKubectl[] = [];

  function forward(args: string[], env: Record<string, string> = {}): BackgroundKubectl {
    const k = startKubectl(cluster, ['port-forward', ...args], env);
    running.push(k);
    return k;
  }

  /** The local port kubectl chose for `remote` (it prints "Forwarding from 127.0.0.1:<local> -> <remote>"). */
  async function localPort(k: BackgroundKubectl, remote: number, address = '127.0.0.1'): Promise<number> {
    const m = await k.waitFor(new RegExp(`Forwarding from ${address.replace(/\./g, '\\.')}:(\\d+) -> ${remote}`));
    return Number(m[1]);
  }

  beforeAll(async () => {
    await cluster.kubectlOk(['apply', '-f', webYaml]);
    await cluster.kubectlOk(['apply', '-f', '-'], { input: deployment });
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod', '--all', '--timeout=90s'], { timeoutMs: 100_000 });
  }, 120_000);

  afterEach(async () => {
    for (const k of running.splice(0)) await k.stop();
  });

  it('forwards a local port to a pod, over the WebSocket tunnel', async () => {
    const k = forward(['pod/web-pod-1', ':8080', '-v=6']);
    const port = await localPort(k, 8080);
    const r = await curl(`http://127.0.0.1:${port}/hello`);
    expect(r.code).toBe(0);
    const [reply] = parseReplies(r.stdout);
    expect(reply?.pod).toBe('web-pod-1');
    expect(reply?.path).toBe('/hello');
    // The server sees a connection from localhost inside the pod, as with the kubelet.
    expect(reply?.client).toMatch(/^127\.0\.0\.1:/);
    expect(k.stderr()).toMatch(/negotiated protocol: portforward\.k8s\.io/);
  });

  it('forwards over a plain SPDY/3.1 upgrade when kubectl does not tunnel in a WebSocket', async () => {
    const k = forward(['pod/web-pod-1', ':8080', '-v=6'], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    const port = await localPort(k, 8080);
    const r = await curl(`http://127.0.0.1:${port}/spdy`);
    expect(parseReplies(r.stdout)[0]?.path).toBe('/spdy');
    expect(k.stderr()).toMatch(/POST .*\/pods\/web-pod-1\/portforward 101 Switching Protocols/);
    expect(k.stderr()).not.toMatch(/tunneling_dialer/);
  });

  it('forwards svc/NAME to a pod behind the Service, many concurrent connections through one forward', async () => {
    const k = forward(['svc/web-service', ':80']);
    const port = await localPort(k, 80);
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => curl(`http://127.0.0.1:${port}/c${i}`)));
    const replies = results.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return parseReplies(r.stdout)[0];
    });
    expect(replies.map((r) => r?.path).sort()).toEqual(Array.from({ length: 24 }, (_, i) => `/c${i}`).sort());
    // One forward goes to one pod, which kubectl chose among the Service's pods.
    const pods = new Set(replies.map((r) => r?.pod));
    expect(pods.size).toBe(1);
    expect([...pods][0]).toMatch(/^web-pod-\d$/);
  });

  it('forwards several named ports of a Deployment, on --address', async () => {
    const k = forward(['deploy/pf-web', '--address', '127.0.0.2', ':http', '19090:admin']);
    const http = await localPort(k, 8080, '127.0.0.2');
    await localPort(k, 9090, '127.0.0.2');
    const a = await curl(`http://127.0.0.2:${http}/a`);
    const b = await curl('http://127.0.0.2:19090/b');
    expect(parseReplies(a.stdout)[0]?.pod).toMatch(/^pf-web-/);
    expect(parseReplies(b.stdout)[0]?.pod).toBe(parseReplies(a.stdout)[0]?.pod);
    // Not bound on the default address.
    expect((await curl(`http://127.0.0.1:${http}/a`)).code).not.toBe(0);
  });

  it('reports a port nothing listens on with the kubelet error, which makes kubectl 1.32 stop', async () => {
    const k = forward(['pod/web-pod-2', ':9999']);
    const port = await localPort(k, 9999);
    expect((await curl(`http://127.0.0.1:${port}/`)).code).not.toBe(0);
    await eventually(() => /error forwarding port 9999 to pod web-pod-2.*connection refused/.test(k.stderr()), {
      what: 'the forwarding error in kubectl stderr',
    });
    // kubectl closes the whole forward after an error in one connection (kubernetes#117493).
    expect(await k.exited).toBe(1);
  });

  it('carries a bulk body whole', async () => {
    const k = forward(['pod/web-pod-3', ':8080']);
    const port = await localPort(k, 8080);
    const r = await curl(`http://127.0.0.1:${port}/bytes/20000000`, ['-o', '/dev/null', '-w', '%{size_download}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('20000000');
  });

  it('ends the forward with "lost connection to pod" when the pod is deleted', async () => {
    const k = forward(['pod/web-pod-3', ':8080']);
    const port = await localPort(k, 8080);
    expect((await curl(`http://127.0.0.1:${port}/`)).code).toBe(0);
    await cluster.kubectlOk(['delete', 'pod', 'web-pod-3', '--wait=false']);
    const code = await Promise.race([k.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 60_000))]);
    expect(code).toBe(1);
    expect(k.stderr()).toMatch(/lost connection to pod/);
  }, 90_000);

  it('refuses a pod that does not exist with NotFound', async () => {
    const r = await cluster.kubectl(['port-forward', 'pod/nope', ':8080']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/pods "nope" not found/);
  });
});
