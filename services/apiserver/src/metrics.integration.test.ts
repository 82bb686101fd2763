/**
 * The apiserver's metrics against the real kubectl: `kubectl top nodes` and `kubectl top
 * pods` (-l, --containers) over metrics.k8s.io, fed by node resource metrics in the
 * kubelet's text format (here rendered from counters that grow with time, read through
 * the apiserver's injectable fetch: the path through a node-agent is the e2e suite's),
 * and `kubectl get --raw /metrics` with the request metrics those calls left.
 */
import { runKubectl } from './testing/kubectl-client.js';
import { type Node, parseCidr } from '@kemu/api';
import { renderResourceMetrics } from '@kemu/metrics';
import { type EventLogFixture, node, pod, startEventLogFixture } from '@kemu/testkit';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, createApiServer } from './http/server.js';

const MiB = 1024 * 1024;

/** The value of the sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: string[]): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('apiserver metrics with the real kubectl', () => {
  let fx: EventLogFixture;
  let server: ApiServer;
  let dir: string;
  let kubeconfig: string;
  const started = Date.now();
  const scraped: string[] = [];

  const kubectl = (args: string[]) => runKubectl(dir, kubeconfig, args);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-apiserver-metrics-'));
    fx = await startEventLogFixture({ component: 'apiserver' });
    server = createApiServer({
      informer: fx.informer,
      writer: fx.api,
      log: fx.log,
      serviceCidr: parseCidr('10.96.0.0/12'),
      // Node n1 uses half a core and 100 MiB; its pod web's container app a quarter and 10 MiB, sidecar nothing.
      async fetchResourceMetrics(n: Node) {
        scraped.push(n.metadata.name);
        const seconds = (Date.now() - started) / 1000 + 10;
        return renderResourceMetrics({
          timestampMs: Date.now(),
          node: { cpuSeconds: seconds * 0.5, memoryBytes: 100 * MiB },
          containers: [
            { namespace: 'default', pod: 'web', container: 'app', cpuSeconds: seconds * 0.25, memoryBytes: 10 * MiB },
            { namespace: 'default', pod: 'web', container: 'sidecar', cpuSeconds: 1, memoryBytes: 2 * MiB },
          ],
        });
      },
    });
    const [addr] = await server.listen(['127.0.0.1:0']);
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: kemu, cluster: {server: "http://127.0.0.1:${addr?.port}"}}]
contexts: [{name: kemu, context: {cluster: kemu, user: kemu, namespace: default}}]
current-context: kemu
users: [{name: kemu, user: {}}]
`,
    );
    const n1 = node('n1', { ip: '10.250.0.2' });
    n1.status = { ...n1.status, capacity: { cpu: '2', memory: '4Gi' }, allocatable: { cpu: '2', memory: '4Gi' } };
    await fx.api.put({ resource: 'nodes', namespace: '', name: 'n1' }, n1);
    await fx.api.put(
      { resource: 'pods', namespace: 'default', name: 'web' },
      pod('web', { node: 'n1', labels: { app: 'web' } }),
    );
    await fx.api.put({ resource: 'pods', namespace: 'default', name: 'pending' }, pod('pending', { phase: 'Pending' }));
  });

  afterAll(async () => {
    await server?.close();
    await fx?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers kubectl top nodes with the rate of the node CPU counter and its working set', async () => {
    const r = await kubectl(['top', 'nodes']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
    const row = r.stdout.split('\n')[1]?.trim().split(/\s+/) ?? [];
    expect(row[0]).toBe('n1');
    expect(Number.parseInt(row[1] ?? '', 10)).toBeGreaterThanOrEqual(480);
    expect(Number.parseInt(row[1] ?? '', 10)).toBeLessThanOrEqual(520);
    expect(row[2]).toMatch(/^2[45]%$/);
    expect(row[3]).toBe('100Mi');
  });

  it('answers kubectl top pods per pod and per container, filtered by label', async () => {
    const pods = await kubectl(['top', 'pods']);
    expect(pods.stderr).toBe('');
    const row = pods.stdout.split('\n')[1]?.trim().split(/\s+/) ?? [];
    expect(row[0]).toBe('web');
    expect(Number.parseInt(row[1] ?? '', 10)).toBeGreaterThanOrEqual(230);
    expect(Number.parseInt(row[1] ?? '', 10)).toBeLessThanOrEqual(270);
    expect(row[2]).toBe('12Mi');
    const containers = await kubectl(['top', 'pods', '--containers']);
    expect(containers.stdout).toMatch(/web\s+app\s+2\d\dm\s+10Mi/);
    expect(containers.stdout).toMatch(/web\s+sidecar\s+0m\s+2Mi/);
    const none = await kubectl(['top', 'pods', '-l', 'app=other']);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No resources found in default namespace');
    const one = JSON.parse(
      (await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web'])).stdout,
    );
    expect(one).toMatchObject({ kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'web' } });
    const missing = await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/pending']);
    expect(missing.stderr).toContain('NotFound');
    expect(scraped.every((n) => n === 'n1')).toBe(true);
  });

  it('serves apiserver_request_total and apiserver_request_duration_seconds at /metrics', async () => {
    const r = await kubectl(['get', '--raw', '/metrics']);
    expect(r.code).toBe(0);
    const lists = sample(r.stdout, 'apiserver_request_total', [
      'verb="LIST"',
      'group="metrics.k8s.io"',
      'version="v1beta1"',
      'resource="pods"',
      'scope="namespace"',
      'component="apiserver"',
      'code="200"',
    ]);
    expect(lists).toBeGreaterThanOrEqual(3);
    expect(sample(r.stdout, 'apiserver_request_total', ['verb="GET"', 'resource="pods"', 'code="404"'])).toBe(1);
    expect(
      sample(r.stdout, 'apiserver_request_duration_seconds_count', ['verb="LIST"', 'resource="nodes"']),
    ).toBeGreaterThanOrEqual(1);
    expect(r.stdout).toContain('# TYPE process_cpu_seconds_total counter');
  });
});
