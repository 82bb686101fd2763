/**
 * DaemonSets end to end (issue 13, item 5), and `kubectl rollout status/history/undo` for
 * DaemonSets and Deployments: a real 3-node kemu cluster and the real kubectl. One pod
 * per node the nodeSelector matches, a node that starts matching gets one and a node
 * that stops loses it, a rolling update that `kubectl rollout status` follows, history
 * from ControllerRevisions (DaemonSet) and ReplicaSets (Deployment), and undo.
 */
import { eventually, listJson } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { useCluster } from './use-cluster.js';

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase?: string };
}

const daemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      nodeSelector:
        disk: ssd
      containers:
      - name: agent
        image: nginx
        ports:
        - containerPort: 8080
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 8080
`;

describe('a DaemonSet on a local 3-node cluster', () => {
  const cluster = useCluster({ name: 'ds', nodes: 3 });

  async function agentNodes(): Promise<Record<string, string>> {
    const pods = await listJson<PodJson>(cluster, ['pods', '-l', 'app=agent']);
    return Object.fromEntries(
      pods
        .filter((p) => !p.metadata.deletionTimestamp)
        .sort((a, b) => (a.spec.nodeName ?? '').localeCompare(b.spec.nodeName ?? ''))
        .map((p) => [p.spec.nodeName ?? '', p.spec.containers[0]?.image ?? '']),
    );
  }

  it('runs one pod on each node its nodeSelector matches, and follows node labels', async () => {
    await cluster.kubectlOk(['label', 'node', 'node-1', 'node-2', 'disk=ssd']);
    await cluster.kubectlOk(['apply', '-f', '-'], { input: daemonSet });
    const out = await cluster.kubectlOk(['rollout', 'status', 'ds/agent', '--timeout=90s']);
    expect(out).toMatch(/daemon set "agent" successfully rolled out/);
    expect(await agentNodes()).toEqual({ 'node-1': 'nginx', 'node-2': 'nginx' });
    const table = await cluster.kubectlOk(['get', 'ds', 'agent']);
    expect(table).toMatch(/NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE/);
    expect(table).toMatch(/agent\s+2\s+2\s+2\s+2\s+2\s+disk=ssd\s/);

    await cluster.kubectlOk(['label', 'node', 'node-3', 'disk=ssd']);
    await eventually(async () => Object.keys(await agentNodes()).length === 3, {
      timeoutMs: 30_000,
      what: 'a pod on node-3',
    });
    await cluster.kubectlOk(['label', 'node', 'node-1', 'disk-']);
    await eventually(async () => JSON.stringify(Object.keys(await agentNodes()).sort()) === '["node-2","node-3"]', {
      timeoutMs: 60_000,
      what: "node-1's pod gone",
    });
    const described = await cluster.kubectlOk(['describe', 'ds', 'agent']);
    expect(described).toMatch(/Desired Number of Nodes Scheduled: 2/);
    expect(described).toMatch(/SuccessfulCreate\s+.*daemonset-controller\s+Created pod: agent-/);
  });

  it('rolls out a new image node by node, keeps history and undoes it', async () => {
    await cluster.kubectlOk(['set', 'image', 'ds/agent', 'agent=nginx:1.27']);
    const out = await cluster.kubectlOk(['rollout', 'status', 'ds/agent', '--timeout=120s']);
    expect(out).toMatch(/daemon set "agent" successfully rolled out/);
    expect(await agentNodes()).toEqual({ 'node-2': 'nginx:1.27', 'node-3': 'nginx:1.27' });
    const history = await cluster.kubectlOk(['rollout', 'history', 'ds/agent']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await cluster.kubectlOk(['rollout', 'undo', 'ds/agent'])).toMatch(/daemonset.apps\/agent rolled back/);
    await cluster.kubectlOk(['rollout', 'status', 'ds/agent', '--timeout=120s']);
    await eventually(
      async () => JSON.stringify(await agentNodes()) === JSON.stringify({ 'node-2': 'nginx', 'node-3': 'nginx' }),
      { timeoutMs: 60_000, what: 'the old image back on every node' },
    );
    expect(await cluster.kubectlOk(['rollout', 'history', 'ds/agent'])).toMatch(
      /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/,
    );
  });

  it('gives Deployments rollout history and undo through their ReplicaSets', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: deployment });
    await cluster.kubectlOk(['rollout', 'status', 'deploy/shop', '--timeout=90s']);
    await cluster.kubectlOk(['set', 'image', 'deploy/shop', 'web=nginx:1.27']);
    await cluster.kubectlOk(['rollout', 'status', 'deploy/shop', '--timeout=120s']);
    expect(await cluster.kubectlOk(['rollout', 'history', 'deploy/shop'])).toMatch(
      /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/,
    );
    expect(await cluster.kubectlOk(['rollout', 'undo', 'deploy/shop'])).toMatch(/deployment.apps\/shop rolled back/);
    await cluster.kubectlOk(['rollout', 'status', 'deploy/shop', '--timeout=120s']);
    const images = await cluster.kubectlOk([
      'get',
      'deploy',
      'shop',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    expect(images).toBe('nginx');
    expect(await cluster.kubectlOk(['rollout', 'history', 'deploy/shop'])).toMatch(
      /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/,
    );
  });
});
