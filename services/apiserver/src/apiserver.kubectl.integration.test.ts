/**
 * The apiserver against the real kubectl 1.32: a real nats-server, the server module
 * in-process on a free port, and /usr/bin/kubectl with a temporary kubeconfig and cache.
 */
import type { HistoryLimits } from './verbs/change-history.js';
import { startNatsServer, type NatsServer, consistently, eventually } from '@kemu/testkit';
import {
  type EventLog,
  type Informer,
  connectEventLog,
  createObjectWriter,
  createPodStatusWriter,
  startInformer,
} from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from './controllers/bootstrap.js';
import { type ApiServer, createApiServer } from './http/server.js';
import { parseCidr } from '@kemu/api';

const log = createLogger({ component: 'apiserver-test', level: 'silent' });

const webService = `apiVersion: v1
kind: Service
metadata:
  name: web-service
spec:
  type: ClusterIP  # This is the default, can be omitted
  selector:
    app: web
    tier: frontend
  ports:
    - port: 80
      targetPort: 8080
`;

const webPod = `apiVersion: v1
kind: Pod
metadata:
  name: web-pod-1
  labels:
    app: web
    tier: frontend
spec:
  containers:
  - name: nginx
    image: nginx
    ports:
    - containerPort: 8080
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface Apiserver {
  eventLog: EventLog;
  informer: Informer;
  server: ApiServer;
  url: string;
}

async function startApiserver(natsUrl: string, history: HistoryLimits = {}): Promise<Apiserver> {
  const eventLog = await connectEventLog({ servers: natsUrl, name: 'apiserver-test', log });
  const informer = await startInformer(eventLog, { log });
  await informer.synced;
  const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
  const server = createApiServer({
    informer,
    writer,
    log,
    serviceCidr: parseCidr('10.96.0.0/12'),
    bookmarkIntervalMs: 200,
    history,
  });
  await bootstrap(server.context, { advertise: '10.250.0.1:6443' });
  const [addr] = await server.listen(['127.0.0.1:0']);
  return { eventLog, informer, server, url: `http://127.0.0.1:${addr?.port}` };
}

async function stopApiserver(a: Apiserver): Promise<void> {
  await a.server.close();
  await a.informer.stop();
  await a.eventLog.close();
}

describe('apiserver driven by kubectl', () => {
  let nats: NatsServer;
  let api: Apiserver;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];

  function kubectl(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile('/usr/bin/kubectl', args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  async function applyText(name: string, text: string): Promise<Run> {
    const file = join(dir, name);
    await writeFile(file, text);
    return kubectl(['apply', '-f', file]);
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    api = await startApiserver(nats.url);
    dir = await mkdtemp(join(tmpdir(), 'kemu-apiserver-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: kemu, cluster: {server: "${api.url}"}}]
contexts: [{name: kemu, context: {cluster: kemu, user: kemu, namespace: default}}]
current-context: kemu
users: [{name: kemu, user: {}}]
`,
    );
    env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache'), HOME: dir };
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.pid) c.kill('SIGKILL');
    await stopApiserver(api);
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports v1.32 and serves discovery', async () => {
    const version = await kubectl(['version']);
    expect(version.stdout).toContain('Server Version: v1.32.4');
    const resources = await kubectl(['api-resources']);
    expect(resources.code).toBe(0);
    expect(resources.stdout).toMatch(/services\s+svc\s+v1\s+true\s+Service/);
    expect(resources.stdout).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    expect(resources.stdout).toMatch(/endpointslices\s+discovery.k8s.io\/v1\s+true\s+EndpointSlice/);
  });

  it('bootstraps the system namespaces and the kubernetes service', async () => {
    const ns = await kubectl(['get', 'ns', '-o', 'name']);
    expect(ns.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'namespace/default',
      'namespace/kube-node-lease',
      'namespace/kube-public',
      'namespace/kube-system',
    ]);
    const svc = await kubectl(['get', 'svc', 'kubernetes']);
    expect(svc.stdout).toMatch(/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
    const ep = await kubectl(['get', 'endpoints', 'kubernetes']);
    expect(ep.stdout).toMatch(/kubernetes\s+10\.250\.0\.1:6443/);
    const slice = await kubectl([
      'get',
      'endpointslices',
      '-l',
      'kubernetes.io/service-name=kubernetes',
      '-o',
      'jsonpath={.items[0].endpoints[0].addresses[0]}',
    ]);
    expect(slice.stdout).toBe('10.250.0.1');
  });

  it('applies the seed web-service and a pod: created, unchanged, configured', async () => {
    const first = await applyText('web.yaml', `${webService}---\n${webPod}`);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('service/web-service created\npod/web-pod-1 created\n');
    const again = await applyText('web.yaml', `${webService}---\n${webPod}`);
    expect(again.stdout).toBe('service/web-service unchanged\npod/web-pod-1 unchanged\n');
    const changed = await applyText('web.yaml', `${webService.replace('port: 80', 'port: 81')}---\n${webPod}`);
    expect(changed.stdout).toBe('service/web-service configured\npod/web-pod-1 unchanged\n');

    const svc = await kubectl(['get', 'svc']);
    const lines = svc.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(lines.find((l) => l.startsWith('web-service'))).toMatch(
      /^web-service\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+81\/TCP\s+\d+s$/,
    );
    const wide = await kubectl(['get', 'svc', 'web-service', '-o', 'wide']);
    expect(wide.stdout).toMatch(/SELECTOR[\s\S]*app=web,tier=frontend/);

    const ip = (await kubectl(['get', 'svc', 'web-service', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    const ipObj = await kubectl([
      'get',
      'ipaddresses',
      ip,
      '-o',
      'jsonpath={.spec.parentRef.namespace}/{.spec.parentRef.name}',
    ]);
    expect(ipObj.stdout).toBe('default/web-service');
  });

  it('lists pods wide and with labels', async () => {
    const wide = await kubectl(['get', 'pods', '-o', 'wide']);
    expect(wide.stdout).toMatch(
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/,
    );
    expect(wide.stdout).toMatch(/web-pod-1\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>/);
    const labels = await kubectl(['get', 'pods', '--show-labels']);
    expect(labels.stdout).toMatch(/web-pod-1\s+0\/1\s+Pending\s+0\s+\d+s\s+app=web,tier=frontend/);
    const all = await kubectl(['get', 'po,svc', '-A']);
    expect(all.stdout).toMatch(/default\s+pod\/web-pod-1/);
    expect(all.stdout).toMatch(/default\s+service\/web-service/);
  });

  it('refuses bad manifests and kubectl prints the server message', async () => {
    const badName = await applyText('bad-name.yaml', webService.replace('web-service', 'Web_Service'));
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain(
      'The Service "Web_Service" is invalid: metadata.name: Invalid value: "Web_Service": a DNS-1035 label must consist of lower case alphanumeric characters',
    );
    const port0 = await applyText(
      'port0.yaml',
      webService.replace('name: web-service', 'name: p0').replace('port: 80', 'port: 0'),
    );
    expect(port0.code).toBe(1);
    expect(port0.stderr).toContain('spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive');
    const port70000 = await applyText(
      'port7.yaml',
      webService.replace('name: web-service', 'name: p7').replace('port: 80', 'port: 70000'),
    );
    expect(port70000.stderr).toContain(
      'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    );
    const unknown = await applyText(
      'unknown.yaml',
      webService.replace('name: web-service', 'name: uf').replace('  type: ClusterIP', '  foo: bar\n  type: ClusterIP'),
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'Error from server (BadRequest): error when creating "' +
        join(dir, 'unknown.yaml') +
        '": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"',
    );
    const taken = (await kubectl(['get', 'svc', 'web-service', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    const dupIp = await applyText(
      'dup-ip.yaml',
      webService
        .replace('name: web-service', 'name: other')
        .replace('  type: ClusterIP', `  clusterIP: ${taken}\n  type: ClusterIP`),
    );
    expect(dupIp.stderr).toContain(
      `The Service "other" is invalid: spec.clusterIP: Invalid value: "${taken}": provided IP is already allocated`,
    );
    const outside = await applyText(
      'outside.yaml',
      webService
        .replace('name: web-service', 'name: outside')
        .replace('  type: ClusterIP', '  clusterIP: 10.0.0.5\n  type: ClusterIP'),
    );
    expect(outside.stderr).toContain('provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12');
    const noNs = await applyText('no-ns.yaml', webService.replace('name: web-service', 'name: x\n  namespace: nosuch'));
    expect(noNs.stderr).toContain('namespaces "nosuch" not found');
    const svcs = await kubectl(['get', 'svc', '-o', 'name']);
    expect(svcs.stdout.trim().split('\n').sort()).toEqual(['service/kubernetes', 'service/web-service']);
  });

  it('refuses a YAML body with a duplicate key (kubectl itself keeps the last one)', async () => {
    const res = await fetch(`${api.url}/api/v1/namespaces/default/services?fieldValidation=Strict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/yaml' },
      body: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: dup\nspec:\n  ports:\n  - port: 80\n  ports:\n  - port: 81\n',
    });
    expect(res.status).toBe(400);
    const status = (await res.json()) as { reason: string; message: string };
    expect(status.reason).toBe('BadRequest');
    expect(status.message).toContain('mapping key "ports" already defined');
  });

  it('streams kubectl get -w: new rows and changes after the listed version only', async () => {
    const child = spawn('/usr/bin/kubectl', ['get', 'pods', '-w'], { env });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    await eventually(() => out.includes('web-pod-1'), { what: 'initial list' });
    await applyText('watched.yaml', webPod.replace('web-pod-1', 'watched'));
    await eventually(() => /watched\s+0\/1\s+Pending/.test(out), { what: 'watch ADDED row' });
    expect(await kubectl(['label', 'pod', 'watched', 'seen=yes'])).toMatchObject({ code: 0 });
    await eventually(() => (out.match(/^watched\s/gm) ?? []).length >= 2, { what: 'watch MODIFIED row' });
    expect(out.match(/^NAME\s/gm)?.length).toBe(1);
    expect((out.match(/^web-pod-1\s/gm) ?? []).length).toBe(1);
    child.kill('SIGTERM');
  });

  it('deletes a bound pod gracefully and kubectl waits for the node to remove it', async () => {
    await applyText(
      'bound.yaml',
      webPod.replace('web-pod-1', 'bound').replace('spec:\n', 'spec:\n  nodeName: node-1\n'),
    );
    const noWait = await kubectl(['delete', 'pod', 'bound', '--wait=false']);
    expect(noWait.stdout).toBe('pod "bound" deleted\n');
    const grace = await kubectl(['get', 'pod', 'bound', '-o', 'jsonpath={.metadata.deletionGracePeriodSeconds}']);
    expect(grace.stdout).toBe('30');
    expect((await kubectl(['get', 'pod', 'bound'])).stdout).toMatch(/bound\s+0\/1\s+Terminating/);
    // kubectl delete (waiting) returns once the "node-agent" removes the pod for real.
    let returned = false;
    const waiting = kubectl(['delete', 'pod', 'bound', '--timeout=20s']).finally(() => {
      returned = true;
    });
    await consistently(() => !returned, { forMs: 1_500, what: 'kubectl delete waiting for the node' });
    const writer = createObjectWriter(api.eventLog, api.informer, { component: 'node-agent', node: 'node-1' });
    const pod = api.informer.view.objects.get('pods/default/bound');
    expect(pod).toBeDefined();
    await writer.remove({ resource: 'pods', namespace: 'default', name: 'bound' }, pod!);
    const done = await waiting;
    expect(done.code).toBe(0);
    expect((await kubectl(['get', 'pod', 'bound'])).stderr).toContain('pods "bound" not found');
    const now = await kubectl(['delete', 'pod', 'web-pod-1']);
    expect(now).toMatchObject({ code: 0, stdout: 'pod "web-pod-1" deleted\n' });
  });

  it('creates with protobuf bodies (kubectl create) and deletes a namespace with its content', async () => {
    expect((await kubectl(['create', 'namespace', 'production'])).stdout).toBe('namespace/production created\n');
    expect(
      (await kubectl(['-n', 'production', 'create', 'deployment', 'shop', '--image=nginx', '--replicas=2'])).stdout,
    ).toBe('deployment.apps/shop created\n');
    expect((await kubectl(['-n', 'production', 'create', 'service', 'clusterip', 'shop', '--tcp=80:8080'])).code).toBe(
      0,
    );
    expect((await kubectl(['-n', 'production', 'scale', 'deployment', 'shop', '--replicas=3'])).stdout).toBe(
      'deployment.apps/shop scaled\n',
    );
    const all = await kubectl(['-n', 'production', 'get', 'all']);
    expect(all.stdout).toMatch(/service\/shop\s+ClusterIP\s+10\./);
    expect(all.stdout).toMatch(/deployment.apps\/shop\s+0\/3\s+0\s+0/);
    const ip = (await kubectl(['-n', 'production', 'get', 'svc', 'shop', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    const del = await kubectl(['delete', 'namespace', 'production', '--timeout=20s']);
    expect(del).toMatchObject({ code: 0, stdout: 'namespace "production" deleted\n' });
    expect((await kubectl(['get', 'ns', 'production'])).stderr).toContain('namespaces "production" not found');
    expect((await kubectl(['get', 'ipaddresses', ip])).code).toBe(1);
    expect((await kubectl(['delete', 'ns', 'default'])).stderr).toContain(
      'namespaces "default" is forbidden: this namespace may not be deleted',
    );
  });

  it('deletes a service and releases its ClusterIP', async () => {
    const ip = (await kubectl(['get', 'svc', 'web-service', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    const del = await kubectl(['delete', 'svc', 'web-service']);
    expect(del).toMatchObject({ code: 0, stdout: 'service "web-service" deleted\n' });
    expect((await kubectl(['get', 'svc', 'web-service'])).stderr).toContain(
      'Error from server (NotFound): services "web-service" not found',
    );
    expect((await kubectl(['get', 'ipaddresses', ip])).code).toBe(1);
  });

  it('never hands out one requested ClusterIP twice across two apiservers', async () => {
    const second = await startApiserver(nats.url);
    try {
      const body = (name: string) =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name },
          spec: { clusterIP: '10.96.7.7', ports: [{ port: 80 }] },
        });
      const post = (url: string, name: string) =>
        fetch(`${url}/api/v1/namespaces/default/services`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: body(name),
        });
      const codes = (await Promise.all([post(api.url, 'race-a'), post(second.url, 'race-b')]))
        .map((r) => r.status)
        .sort();
      expect(codes).toEqual([201, 422]);
    } finally {
      await stopApiserver(second);
    }
  });

  it("shows a node's status record as MODIFIED in watches, and a later label keeps that status", async () => {
    expect((await applyText('node-status.yaml', webPod.replace('web-pod-1', 'node-status'))).code).toBe(0);
    const key = { resource: 'pods', namespace: 'default', name: 'node-status' } as const;
    const bind = createObjectWriter(api.eventLog, api.informer, { component: 'scheduler' });
    const bound = await bind.update(key, (p) => ({ ...p, spec: { ...p.spec, nodeName: 'node-1' } }));
    const watch = new AbortController();
    const res = await fetch(
      `${api.url}/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name=node-status&resourceVersion=${bound?.metadata.resourceVersion}`,
      { signal: watch.signal },
    );
    const lines: { type: string; object: { metadata: { resourceVersion: string }; status?: { phase?: string } } }[] =
      [];
    const reading = (async () => {
      let buffered = '';
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buffered += Buffer.from(chunk).toString('utf8');
        for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
          lines.push(JSON.parse(buffered.slice(0, i)));
          buffered = buffered.slice(i + 1);
        }
      }
    })().catch(() => undefined);

    // A node-agent of node-1, following its own node's status records.
    const agentLog = await connectEventLog({ servers: nats.url, name: 'node-agent-test', log });
    const agentInformer = await startInformer(agentLog, { resources: ['pods'], node: 'node-1', log });
    try {
      await agentInformer.synced;
      const status = createPodStatusWriter(agentLog, agentInformer, { component: 'node-agent', node: 'node-1' });
      const running = await status.updateStatus(key, (p) => ({ ...p.status, phase: 'Running', podIP: '10.244.1.7' }));
      const rv = running?.metadata.resourceVersion;
      await eventually(() => lines.some((l) => l.type === 'MODIFIED' && l.object.metadata.resourceVersion === rv), {
        what: 'watch MODIFIED event of the status record',
      });
      expect(lines.find((l) => l.object.metadata.resourceVersion === rv)?.object.status?.phase).toBe('Running');
      expect(await kubectl(['label', 'pod', 'node-status', 'seen=yes'])).toMatchObject({ code: 0 });
      const got = await kubectl([
        'get',
        'pod',
        'node-status',
        '-o',
        'jsonpath={.status.phase} {.metadata.labels.seen}',
      ]);
      expect(got.stdout).toBe('Running yes');
    } finally {
      watch.abort();
      await reading;
      await agentInformer.stop();
      await agentLog.close();
    }
  });

  it('answers a watch from a version older than its history with 410 Expired', async () => {
    const small = await startApiserver(nats.url, { changes: 2 });
    try {
      for (let i = 0; i < 4; i++) {
        await fetch(`${small.url}/api/v1/namespaces/default/endpoints`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: `e${i}` } }),
        });
      }
      const res = await fetch(`${small.url}/api/v1/namespaces/default/endpoints?watch=true&resourceVersion=1`);
      const event = JSON.parse((await res.text()).trim()) as { type: string; object: { code: number; reason: string } };
      expect(event.type).toBe('ERROR');
      expect(event.object).toMatchObject({ code: 410, reason: 'Expired' });
    } finally {
      await stopApiserver(small);
    }
  });
});
