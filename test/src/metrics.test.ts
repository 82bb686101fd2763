/**
 * Metrics end to end on a real 2-node cluster: `kubectl top nodes` and `kubectl top pods`
 * (with --containers, -A, -l) answer from the metrics.k8s.io API with a busy pod's CPU
 * and memory as its node-agent measured them, a user without RBAC for it is refused, and
 * every component's /metrics answers with the upstream names after some activity: the
 * apiserver's through `kubectl get --raw /metrics`, the node-agent's and kube-proxy's
 * through the node proxy, CoreDNS's through the kube-dns Service's metrics port, the
 * controller's on its listener. Both proxy modes: kube-proxy's metrics are taken around
 * the one sync either data plane runs.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCommand } from './kemu-cluster.js';
import { PROXY_MODES } from './proxy-modes.js';
import { useCluster } from './use-cluster.js';

const podsYaml = `
apiVersion: v1
kind: Pod
metadata: { name: busy, labels: { app: busy } }
spec:
  containers:
  - name: spin
    image: busybox
    command: ["sh", "-c", "while :; do :; done"]
---
apiVersion: v1
kind: Pod
metadata: { name: idle, labels: { app: idle } }
spec:
  containers:
  - name: sleeper
    image: busybox
    command: ["sleep", "3600"]
  - name: second
    image: busybox
    command: ["sleep", "3600"]
`;

/** Millicores of a `kubectl top` CPU column (`250m`, `1`). */
const millicores = (text: string) => (text.endsWith('m') ? Number(text.slice(0, -1)) : Number(text) * 1000);
/** Mebibytes of a `kubectl top` memory column (`12Mi`). */
const mebibytes = (text: string) => (text.endsWith('Mi') ? Number(text.slice(0, -2)) : Number.NaN);

/** The rows of a `kubectl top` table, split on blanks, without the header. */
const rows = (out: string) =>
  out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));

/** The value of the first sample of `name` whose labels contain every `label`. */
function sample(text: string, name: string, ...labels: string[]): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels.every((l) => line.includes(l))) return Number(line.trim().split(/\s+/)[1]);
  }
  return undefined;
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(last ?? '')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.each(PROXY_MODES)('metrics and kubectl top (%s proxy mode)', (proxyMode) => {
  const cluster = useCluster({ name: 'met', nodes: 2, proxyMode });

  it('shows a busy pod and the nodes in kubectl top, with containers, labels and all namespaces', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: podsYaml });
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/busy', 'pod/idle', '--timeout=90s']);

    const busy = await poll('busy pod CPU in kubectl top', async () => {
      const r = await cluster.kubectl(['top', 'pods']);
      const row = rows(r.stdout).find((c) => c[0] === 'busy');
      // A spinning shell gets a core on a quiet machine, far less while CI shares both cores with a dozen processes.
      return row && millicores(row[1] as string) >= 30 ? row : undefined;
    });
    expect(mebibytes(busy[2] as string)).toBeGreaterThanOrEqual(0);
    // The memory column rounds to Mi; the API itself carries Ki and must be above zero.
    const raw = JSON.parse(
      await cluster.kubectlOk(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy']),
    );
    expect(raw.kind).toBe('PodMetrics');
    expect(Number.parseInt(raw.containers[0].usage.memory, 10)).toBeGreaterThan(0);
    expect(Number.parseInt(raw.containers[0].usage.cpu, 10)).toBeGreaterThan(20_000_000);

    const all = rows(await cluster.kubectlOk(['top', 'pods']));
    expect(all.map((c) => c[0]).sort()).toEqual(['busy', 'idle']);
    const idle = all.find((c) => c[0] === 'idle') as string[];
    expect(millicores(idle[1] as string)).toBeLessThan(millicores(busy[1] as string));

    const labelled = rows(await cluster.kubectlOk(['top', 'pods', '-l', 'app=busy']));
    expect(labelled.map((c) => c[0])).toEqual(['busy']);

    const containers = rows(await cluster.kubectlOk(['top', 'pods', '--containers']));
    expect(containers.map((c) => `${c[0]}/${c[1]}`).sort()).toEqual(['busy/spin', 'idle/second', 'idle/sleeper']);

    const everywhere = rows(await cluster.kubectlOk(['top', 'pods', '-A']));
    expect(everywhere.find((c) => c[1] === 'busy')?.[0]).toBe('default');
    // The kube-proxy and dns mirror pods are measured by their processes.
    const proxies = everywhere.filter((c) => c[0] === 'kube-system' && c[1]?.startsWith('kube-proxy-'));
    expect(proxies.length).toBe(2);
    for (const c of proxies) expect(mebibytes(c[3] as string)).toBeGreaterThan(10);

    const nodes = rows(await cluster.kubectlOk(['top', 'nodes']));
    expect(nodes.map((c) => c[0]).sort()).toEqual(['node-1', 'node-2']);
    const total = nodes.reduce((sum, c) => sum + millicores(c[1] as string), 0);
    expect(total).toBeGreaterThanOrEqual(millicores(busy[1] as string) * 0.5);
    for (const c of nodes) expect(mebibytes(c[3] as string)).toBeGreaterThan(0);
  });

  it('refuses kubectl top to a user without RBAC for metrics.k8s.io', async () => {
    const r = await cluster.kubectl(['top', 'pods', '--as=system:serviceaccount:default:default']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/forbidden/i);
    expect(r.stderr).toContain('metrics.k8s.io');
  });

  it("serves every component's /metrics with the upstream names", async () => {
    const node = (await cluster.kubectlOk(['get', 'pod', 'busy', '-o', 'jsonpath={.spec.nodeName}'])).trim();
    // Some DNS traffic and a Service change for the proxies to program.
    await cluster.kubectlOk(['exec', 'busy', '--', 'nslookup', 'kubernetes.default.svc.cluster.local']);
    await cluster.kubectlOk(['create', 'service', 'clusterip', 'metrics-svc', '--tcp=80:8080']);

    const apiserver = await cluster.kubectlOk(['get', '--raw', '/metrics']);
    expect(
      sample(apiserver, 'apiserver_request_total', 'verb="LIST"', 'resource="pods"', 'code="200"'),
    ).toBeGreaterThan(0);
    expect(sample(apiserver, 'apiserver_request_duration_seconds_count', 'verb="GET"')).toBeGreaterThan(0);
    expect(sample(apiserver, 'kemu_eventlog_append_duration_seconds_count', 'result="ok"')).toBeGreaterThan(0);
    expect(sample(apiserver, 'kemu_informer_lag_events')).toBeGreaterThanOrEqual(0);
    expect(sample(apiserver, 'process_cpu_seconds_total')).toBeGreaterThan(0);

    const kubelet = await cluster.kubectlOk(['get', '--raw', `/api/v1/nodes/${node}/proxy/metrics`]);
    expect(sample(kubelet, 'kubelet_pod_start_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(kubelet, 'kubelet_running_pods')).toBeGreaterThanOrEqual(1);
    const resource = await cluster.kubectlOk(['get', '--raw', `/api/v1/nodes/${node}/proxy/metrics/resource`]);
    expect(sample(resource, 'container_cpu_usage_seconds_total', 'container="spin"', 'pod="busy"')).toBeGreaterThan(0);
    expect(sample(resource, 'container_memory_working_set_bytes', 'container="spin"')).toBeGreaterThan(0);
    expect(sample(resource, 'pod_cpu_usage_seconds_total', 'pod="busy"')).toBeGreaterThan(0);
    expect(sample(resource, 'node_cpu_usage_seconds_total')).toBeGreaterThan(0);
    expect(sample(resource, 'node_memory_working_set_bytes')).toBeGreaterThan(0);

    await poll('the proxies to program the new Service', async () => {
      const proxy = await cluster.kubectlOk(['get', '--raw', `/api/v1/nodes/${node}:10249/proxy/metrics`]);
      const programmed = sample(proxy, 'kubeproxy_network_programming_duration_seconds_count') ?? 0;
      if (programmed < 1) return undefined;
      expect(sample(proxy, 'kubeproxy_sync_proxy_rules_duration_seconds_count')).toBeGreaterThan(0);
      expect(sample(proxy, 'kubeproxy_sync_proxy_rules_last_timestamp_seconds')).toBeGreaterThan(
        Date.now() / 1000 - 600,
      );
      expect(sample(proxy, 'kubeproxy_sync_proxy_rules_service_changes_total')).toBeGreaterThan(0);
      return true;
    });

    const dns = await poll('a DNS query counted', async () => {
      const text = await cluster.kubectlOk([
        'get',
        '--raw',
        '/api/v1/namespaces/kube-system/services/kube-dns:metrics/proxy/metrics',
      ]);
      return (sample(text, 'coredns_dns_requests_total') ?? 0) > 0 ? text : undefined;
    });
    expect(sample(dns, 'coredns_dns_responses_total', 'rcode="NOERROR"')).toBeGreaterThan(0);
    expect(sample(dns, 'coredns_dns_request_duration_seconds_count')).toBeGreaterThan(0);
    expect(dns).toContain('coredns_cache_misses_total');

    const pid = (await cluster.pids()).controller as number;
    const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    const listen = environ.find((e) => e.startsWith('KEMU_CONTROLLER_METRICS_LISTEN='))?.split('=')[1];
    expect(listen).toMatch(/:10257$/);
    const controller = await runCommand('curl', ['-sS', '-m', '10', `http://${listen}/metrics`]);
    expect(controller.code).toBe(0);
    expect(sample(controller.stdout, 'workqueue_adds_total', 'name="')).toBeGreaterThanOrEqual(0);
    const adds = controller.stdout
      .split('\n')
      .filter((l) => l.startsWith('workqueue_adds_total{'))
      .reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
    expect(adds).toBeGreaterThan(0);
    expect(sample(controller.stdout, 'workqueue_work_duration_seconds_count', 'name="')).toBeGreaterThanOrEqual(0);
    expect(controller.stdout).toContain('workqueue_queue_duration_seconds_bucket');
    expect(controller.stdout).toContain('workqueue_retries_total');
    expect(controller.stdout).toContain('# TYPE kemu_eventlog_snapshot_age_seconds gauge');
  });
});
