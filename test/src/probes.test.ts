/**
 * Issue 5's probe, memory and workload acceptance, end to end: a real 1-node kemu
 * cluster and the real kubectl. Probes use periodSeconds 1 so each case takes seconds.
 */
import { eventually, getJson } from '@kemu/testkit';
import { useCluster } from './use-cluster.js';
import { describe, expect, it } from 'vitest';

const readinessYaml = `
apiVersion: v1
kind: Service
metadata: { name: ready-svc }
spec:
  selector: { app: ready }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: ready-web, labels: { app: ready } }
spec:
  containers:
  - name: web
    image: nginx
    ports: [{ containerPort: 8080 }]
    readinessProbe:
      httpGet: { path: /ready, port: 8080 }
      periodSeconds: 1
      failureThreshold: 2
`;

const livenessYaml = `
apiVersion: v1
kind: Pod
metadata: { name: live-web }
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: web
    image: nginx
    ports: [{ containerPort: 8080 }]
    env: [{ name: KEMU_FAIL_AFTER_SECONDS, value: "2" }]
    livenessProbe:
      httpGet: { path: /health, port: 8080 }
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 1
`;

const startupYaml = `
apiVersion: v1
kind: Pod
metadata: { name: slow-start }
spec:
  containers:
  - name: web
    image: nginx
    ports: [{ containerPort: 8080 }]
    env: [{ name: KEMU_READY_DELAY_SECONDS, value: "3" }]
    startupProbe:
      httpGet: { path: /ready, port: 8080 }
      periodSeconds: 1
      failureThreshold: 10
    livenessProbe:
      tcpSocket: { port: 8080 }
      periodSeconds: 1
---
apiVersion: v1
kind: Pod
metadata: { name: exec-live }
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: web
    image: nginx
    livenessProbe:
      exec: { command: [cat, /nonexistent] }
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 1
`;

const grpcYaml = `
apiVersion: v1
kind: Pod
metadata: { name: grpc-web }
spec:
  containers:
  - name: web
    image: nginx
    ports: [{ containerPort: 8080 }]
    env: [{ name: KEMU_GRPC_PORT, value: "9090" }]
    readinessProbe:
      grpc: { port: 9090, service: readiness }
      periodSeconds: 1
      failureThreshold: 1
    livenessProbe:
      grpc: { port: 9090 }
      periodSeconds: 1
`;

const hogYaml = `
apiVersion: v1
kind: Pod
metadata: { name: hog }
spec:
  containers:
  - name: hog
    image: nginx
    env: [{ name: KEMU_MEMORY_HOG_MB, value: "200" }]
    resources: { limits: { memory: 64Mi } }
`;

// The seed guide's Database example (Example 1) plus the mysql pod its Service selects.
const databaseYaml = `
apiVersion: v1
kind: Service
metadata:
  name: mysql-service
spec:
  selector:
    app: mysql
  ports:
    - port: 3306
      targetPort: 3306
---
apiVersion: v1
kind: Pod
metadata: { name: mysql, labels: { app: mysql } }
spec:
  containers:
  - name: mysql
    image: mysql:8.0
    ports: [{ containerPort: 3306 }]
---
apiVersion: v1
kind: Pod
metadata:
  name: app-pod
spec:
  containers:
  - name: app
    image: myapp:latest
    env:
    - name: DB_HOST
      value: "mysql-service"  # Uses service name
    - name: DB_PORT
      value: "3306"
`;

interface PodJson {
  status: {
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { restartCount: number; ready: boolean }[];
  };
}

describe('probes, memory limits and workload images', () => {
  const cluster = useCluster({ name: 'prb', nodes: 1 });

  async function pod(name: string): Promise<PodJson> {
    return await getJson<PodJson>(cluster, ['pod', name]);
  }

  async function endpointIPs(service: string): Promise<string[]> {
    const ep = await getJson<{
      subsets?: { addresses?: { ip: string }[] }[];
    }>(cluster, ['endpoints', service]);
    return (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
  }

  async function podRow(name: string): Promise<string[]> {
    const out = await cluster.kubectlOk(['get', 'pod', name]);
    return (out.split('\n')[1] ?? '').trim().split(/\s+/);
  }

  it('takes a pod that fails readiness out of the Endpoints without restarting it, and back after recovery', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: readinessYaml });
    const ip = await eventually(
      async () => {
        const p = await pod('ready-web');
        const ips = await endpointIPs('ready-svc');
        return p.status.podIP && ips.includes(p.status.podIP) ? p.status.podIP : undefined;
      },
      { timeoutMs: 60_000, what: 'ready-web in the Endpoints of ready-svc' },
    );

    const notReady = await cluster.kubectlOk([
      'exec',
      'ready-web',
      '--',
      'curl',
      '-sS',
      '-X',
      'POST',
      'http://127.0.0.1:8080/control/ready?value=false',
    ]);
    expect(notReady).toContain('"ready":false');
    const t0 = Date.now();
    await eventually(async () => !(await endpointIPs('ready-svc')).includes(ip), {
      timeoutMs: 10_000,
      what: 'ready-web out of the Endpoints',
    });
    const outMs = Date.now() - t0;
    // periodSeconds 1 × failureThreshold 2 + 1 s.
    expect(outMs).toBeLessThanOrEqual(3_000);
    const events = await cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=ready-web']);
    expect(events).toMatch(/Unhealthy.*Readiness probe failed: HTTP probe failed with statuscode: 503/);

    await cluster.kubectlOk([
      'exec',
      'ready-web',
      '--',
      'curl',
      '-sS',
      '-X',
      'POST',
      'http://127.0.0.1:8080/control/ready?value=true',
    ]);
    await eventually(async () => (await endpointIPs('ready-svc')).includes(ip), {
      timeoutMs: 10_000,
      what: 'ready-web back in the Endpoints',
    });
    expect((await pod('ready-web')).status.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it('restarts a container that fails liveness and shows CrashLoopBackOff with growing RESTARTS', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: livenessYaml });
    const crashLoop = await eventually(
      async () => {
        const row = await podRow('live-web');
        return row[2] === 'CrashLoopBackOff' ? row : undefined;
      },
      { timeoutMs: 60_000, what: 'live-web in CrashLoopBackOff' },
    );
    expect(Number.parseInt(crashLoop[3] ?? '0', 10)).toBeGreaterThanOrEqual(1);
    const restarts = await eventually(
      async () => {
        const n = (await pod('live-web')).status.containerStatuses?.[0]?.restartCount ?? 0;
        return n >= 2 ? n : undefined;
      },
      { timeoutMs: 60_000, what: 'live-web restarted twice' },
    );
    expect(restarts).toBeGreaterThanOrEqual(2);
    const events = await cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=live-web']);
    expect(events).toMatch(/Unhealthy.*Liveness probe failed: HTTP probe failed with statuscode: 503/);
    expect(events).toMatch(/Killing/);
    expect(events).toMatch(/BackOff.*Back-off restarting failed container web/);
  });

  it('holds a container as not started until its startup probe passes, and restarts one failing an exec liveness probe', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: startupYaml });
    const started = async () =>
      (
        await cluster.kubectlOk(['get', 'pod', 'slow-start', '-o', 'jsonpath={.status.containerStatuses[0].started}'])
      ).trim();
    await eventually(async () => (await started()) === 'false', {
      timeoutMs: 30_000,
      what: 'slow-start running, not started',
    });
    expect((await pod('slow-start')).status.containerStatuses?.[0]?.ready).toBe(false);
    await eventually(async () => (await started()) === 'true', { timeoutMs: 30_000, what: 'slow-start started' });
    await eventually(async () => (await pod('slow-start')).status.containerStatuses?.[0]?.ready === true, {
      timeoutMs: 10_000,
      what: 'slow-start ready',
    });
    expect((await pod('slow-start')).status.containerStatuses?.[0]?.restartCount).toBe(0);

    await eventually(async () => ((await pod('exec-live')).status.containerStatuses?.[0]?.restartCount ?? 0) >= 1, {
      timeoutMs: 30_000,
      what: 'exec-live restarted',
    });
    const events = await cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=exec-live']);
    // The probe runs inside the container: its image's cat (busybox) words the failure.
    expect(events).toMatch(
      /Unhealthy.*Liveness probe failed: cat: can't open '\/nonexistent': No such file or directory/,
    );
    expect(events).toMatch(/Killing.*Container web failed liveness probe, will be restarted/);
  });

  it('follows grpc readiness and liveness probes (grpc.health.v1) of the workload', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: grpcYaml });
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/grpc-web', '--timeout=30s']);
    await cluster.kubectlOk([
      'exec',
      'grpc-web',
      '--',
      'curl',
      '-sS',
      '-X',
      'POST',
      'http://127.0.0.1:8080/control/ready?value=false',
    ]);
    await eventually(
      async () => (await pod('grpc-web')).status.conditions?.some((c) => c.type === 'Ready' && c.status === 'False'),
      { timeoutMs: 10_000, what: 'grpc-web not Ready' },
    );
    const events = await cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=grpc-web']);
    expect(events).toMatch(/Unhealthy.*Readiness probe failed: service unhealthy \(responded with "NOT_SERVING"\)/);
    // The liveness probe asks for the whole server, which stays SERVING: no restart.
    expect((await pod('grpc-web')).status.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it('OOMKills a container over its memory limit', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: hogYaml });
    const reason = await eventually(
      async () => {
        const r = (
          await cluster.kubectlOk([
            'get',
            'pod',
            'hog',
            '-o',
            'jsonpath={.status.containerStatuses[0].lastState.terminated.reason}',
          ])
        ).trim();
        return r !== '' ? r : undefined;
      },
      { timeoutMs: 60_000, what: 'hog terminated once' },
    );
    expect(reason).toBe('OOMKilled');
    const exitCode = await cluster.kubectlOk([
      'get',
      'pod',
      'hog',
      '-o',
      'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}',
    ]);
    expect(exitCode.trim()).toBe('137');
  });

  it("runs the seed's Database example: the app connects to mysql-service", async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: databaseYaml });
    const logs = await eventually(
      async () => {
        const r = await cluster.kubectl(['logs', 'app-pod']);
        return r.code === 0 && /"result":"ok"/.test(r.stdout) ? r.stdout : undefined;
      },
      { timeoutMs: 60_000, what: 'app-pod logs a successful connection' },
    );
    const ok = logs
      .split('\n')
      .filter((l) => l.includes('"result":"ok"'))
      .map((l) => JSON.parse(l) as { target: string; greeting?: string });
    expect(ok[0]?.target).toBe('mysql-service:3306');
    expect(ok[0]?.greeting).toMatch(/^mysql ready \(pod mysql\)/);
  });
});
