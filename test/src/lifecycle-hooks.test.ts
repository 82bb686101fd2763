/**
 * Container lifecycle hooks end to end on a real 1-node kemu cluster and the real
 * kubectl: a graceful delete runs the preStop `sleep` before SIGTERM while the pod keeps
 * serving (its endpoint serving and terminating, not ready), failing hooks become
 * FailedPreStopHook / FailedPostStartHook events, and a failed postStart restarts the
 * container.
 */
import { eventually } from '@kemu/testkit';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasConnection, slowDownload, parseReplies, runCommand } from './kemu-cluster.js';
import { useCluster } from './use-cluster.js';

const hookYaml = `
apiVersion: v1
kind: Service
metadata: { name: hook-svc }
spec:
  selector: { app: hook }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: hook-web, labels: { app: hook } }
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: web
    image: nginx
    ports: [{ containerPort: 8080 }]
    lifecycle:
      preStop:
        sleep: { seconds: 3 }
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  containers:
  - name: client
    image: nginx
---
apiVersion: v1
kind: Pod
metadata: { name: bad-prestop }
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: web
    image: nginx
    lifecycle:
      preStop:
        exec: { command: [sh, -c, "echo draining failed; exit 3"] }
---
apiVersion: v1
kind: Pod
metadata: { name: bad-poststart }
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: web
    image: nginx
    lifecycle:
      postStart:
        httpGet: { port: 9999, path: /warm }
`;

interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
}

describe('container lifecycle hooks', () => {
  const cluster = useCluster({ name: 'hook', nodes: 1 });

  beforeAll(async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: hookYaml });
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/hook-web', 'pod/client', '--timeout=60s']);
  });

  async function sliceEndpoint(ip: string): Promise<SliceEndpoint | undefined> {
    const out = await cluster.kubectlOk([
      'get',
      'endpointslices',
      '-l',
      'kubernetes.io/service-name=hook-svc',
      '-o',
      'json',
    ]);
    const slices = JSON.parse(out) as { items: { endpoints?: SliceEndpoint[] }[] };
    return slices.items.flatMap((s) => s.endpoints ?? []).find((e) => e.addresses.includes(ip));
  }

  async function events(pod: string): Promise<string> {
    return cluster.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${pod}`]);
  }

  it('runs preStop sleep 3 before SIGTERM; the pod serves in-flight and new requests during the hook as serving, terminating, not ready', async () => {
    const ip = (await cluster.kubectlOk(['get', 'pod', 'hook-web', '-o', 'jsonpath={.status.podIP}'])).trim();
    const uid = (await cluster.kubectlOk(['get', 'pod', 'hook-web', '-o', 'jsonpath={.metadata.uid}'])).trim();
    expect(await sliceEndpoint(ip)).toMatchObject({ conditions: { ready: true, serving: true, terminating: false } });

    // 50 MB at 10 MB/s: in flight for about 5 s, past the hook's 3 s and the SIGTERM.
    const size = 50_000_000;
    const transfer = slowDownload(cluster, 'client', `http://${ip}:8080/bytes/${size}`);
    await eventually(() => hasConnection(cluster, 'client', `${ip}:8080`), {
      intervalMs: 50,
      what: 'the transfer connected',
    });
    const deletedAt = Date.now();
    await cluster.kubectlOk(['delete', 'pod', 'hook-web', '--wait=false']);

    const during = await eventually(
      async () => {
        const e = await sliceEndpoint(ip);
        return e?.conditions?.terminating ? e : undefined;
      },
      { timeoutMs: 2_500, intervalMs: 100, what: 'the endpoint terminating' },
    );
    expect(during.conditions).toEqual({ ready: false, serving: true, terminating: true });
    // A new request during the hook is still answered by the pod.
    const fresh = parseReplies((await cluster.exec('client', ['curl', '-sS', '-m', '2', `http://${ip}:8080/`])).stdout);
    expect(fresh[0]?.pod).toBe('hook-web');
    expect(Date.now() - deletedAt).toBeLessThan(3_000);

    const done = await transfer;
    const transferredAt = Date.now();
    expect(`${done.stdout.trim()}${done.stderr}`).toBe(`${size} 200`);
    await eventually(async () => ((await cluster.kubectl(['get', 'pod', 'hook-web'])).code !== 0 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'hook-web removed',
    });

    // The workload's own log: SIGTERM came only after the 3 s hook.
    const found = await runCommand('find', [cluster.stateDir, '-path', `*${uid}*`, '-name', 'web*.log']);
    const file = found.stdout.trim().split('\n')[0] ?? '';
    expect(file).not.toBe('');
    const lines = (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { time: string; msg: string; signal?: string; path?: string; status?: number });
    const term = lines.find((l) => l.msg === 'shutting down');
    expect(term?.signal).toBe('SIGTERM');
    const termDelay = Date.parse(term?.time ?? '') - deletedAt;
    expect(termDelay).toBeGreaterThanOrEqual(3_000);
    expect(termDelay).toBeLessThan(6_000);
    // The client was still receiving after the SIGTERM, and got every byte.
    expect(transferredAt).toBeGreaterThan(Date.parse(term?.time ?? ''));
  });

  it('records FailedPreStopHook for a failing preStop and still terminates the pod', async () => {
    const t0 = Date.now();
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/bad-prestop', '--timeout=30s']);
    await cluster.kubectlOk(['delete', 'pod', 'bad-prestop', '--wait=true', '--timeout=20s']);
    // The exec hook fails at once, so SIGTERM follows at once: far less than the 5 s grace.
    expect(Date.now() - t0).toBeLessThan(5_000);
    // The event says only that (as the kubelet's, so hook output cannot leak secrets) …
    expect(await events('bad-prestop')).toMatch(/Warning\s+FailedPreStopHook\s+pod\/bad-prestop\s+PreStopHook failed/);
    // … the node-agent's log has the details.
    const log = await runCommand('sh', ['-c', `cat ${cluster.stateDir}/logs/node-agent*.log`]);
    const failure = log.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; hook?: string; message?: string })
      .find((l) => l.msg === 'lifecycle hook failed' && l.hook === 'PreStop');
    expect(failure?.message).toMatch(
      /^Exec lifecycle hook \(\[sh -c echo draining failed; exit 3\]\) for Container "web" in Pod "bad-prestop_default\(.*\)" failed - error: command .* exited with 3: draining failed/,
    );
  });

  it('kills and restarts a container whose postStart hook fails, with FailedPostStartHook', async () => {
    await eventually(
      async () => {
        const n = await cluster.kubectlOk([
          'get',
          'pod',
          'bad-poststart',
          '-o',
          'jsonpath={.status.containerStatuses[0].restartCount}',
        ]);
        return Number(n) >= 1 ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'bad-poststart restarted' },
    );
    const ev = await events('bad-poststart');
    expect(ev).toMatch(/Warning\s+FailedPostStartHook\s+pod\/bad-poststart\s+PostStartHook failed/);
    expect(ev).toMatch(/Normal\s+Killing\s+pod\/bad-poststart\s+FailedPostStartHook/);
    expect(await cluster.kubectlOk(['get', 'pod', 'bad-poststart'])).not.toMatch(/\b1\/1\s+Running/);
  });
});
