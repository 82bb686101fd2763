/**
 * /openapi/v2 against the real kubectl 1.32: it validates a `kind: List` (what `kubectl get
 * -o yaml` prints) on the client against the v2 definitions, so applying one needs them.
 */
import { parseCidr } from '@kemu/api';
import { type EventLog, type Informer, connectEventLog, createObjectWriter, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type NatsServer, startNatsServer } from '@kemu/testkit';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../controllers/bootstrap.js';
import { type ApiServer, createApiServer } from '../http/server.js';

const log = createLogger({ component: 'apiserver-test', level: 'silent' });

const list = (servicePorts: string) => `apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: listed-config
  data:
    greeting: hello
- apiVersion: v1
  kind: Service
  metadata:
    name: listed-service
  spec:
    selector:
      app: web
    ${servicePorts}:
    - port: 80
      targetPort: 8080
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('/openapi/v2 with kubectl', () => {
  let nats: NatsServer;
  let eventLog: EventLog;
  let informer: Informer;
  let server: ApiServer;
  let url: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  function kubectl(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile('/usr/bin/kubectl', args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  async function apply(name: string, text: string): Promise<Run> {
    const file = join(dir, name);
    await writeFile(file, text);
    return kubectl(['apply', '-f', file]);
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    eventLog = await connectEventLog({ servers: nats.url, name: 'apiserver-test', log });
    informer = await startInformer(eventLog, { log });
    await informer.synced;
    const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
    server = createApiServer({ informer, writer, log, serviceCidr: parseCidr('10.96.0.0/12') });
    await bootstrap(server.context, { advertise: '10.250.0.1:6443' });
    const [addr] = await server.listen(['127.0.0.1:0']);
    url = `http://127.0.0.1:${addr?.port}`;
    dir = await mkdtemp(join(tmpdir(), 'kemu-openapi-v2-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: kemu, cluster: {server: "${url}"}}]
contexts: [{name: kemu, context: {cluster: kemu, user: kemu, namespace: default}}]
current-context: kemu
users: [{name: kemu, user: {}}]
`,
    );
    env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache'), HOME: dir };
  });

  afterAll(async () => {
    await server.close();
    await informer.stop();
    await eventLog.close();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the document as protobuf and as Swagger 2.0 JSON', async () => {
    const pb = await fetch(`${url}/openapi/v2`, {
      headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
    });
    expect(pb.status).toBe(200);
    expect(pb.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const json = await fetch(`${url}/openapi/v2`, { headers: { accept: 'application/json' } });
    const doc = (await json.json()) as { swagger: string; definitions: Record<string, unknown> };
    expect(doc.swagger).toBe('2.0');
    expect(Object.keys(doc.definitions)).toContain('io.k8s.api.core.v1.Service');
  });

  it('applies a kind: List of a ConfigMap and a Service, then finds it unchanged', async () => {
    const first = await apply('list.yaml', list('ports'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('configmap/listed-config created\nservice/listed-service created\n');
    const again = await apply('list.yaml', list('ports'));
    expect(again.stdout).toBe('configmap/listed-config unchanged\nservice/listed-service unchanged\n');
    const data = await kubectl(['get', 'configmap', 'listed-config', '-o', 'jsonpath={.data.greeting}']);
    expect(data.stdout).toBe('hello');
  });

  // A real cluster names the nested definition (io.k8s.api.core.v1.ServiceSpec); kemu's
  // schemas inline nested structs, so kube-openapi names it by its path instead.
  it("refuses a List with an unknown field through kubectl's client-side validation", async () => {
    const bad = await apply('bad-list.yaml', list('portz').replaceAll('listed-', 'bad-'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `error: error validating "${join(dir, 'bad-list.yaml')}": error validating data: ValidationError(Service.spec): unknown field "portz" in io.k8s.api.core.v1.Service.spec; if you choose to ignore these errors, turn validation off with --validate=false`,
    );
    const cm = await kubectl(['get', 'configmap', 'bad-config']);
    expect(cm.stderr).toContain('configmaps "bad-config" not found');
  });

  it('leaves kubectl explain working', async () => {
    const explain = await kubectl(['explain', 'service.spec.ports']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('KIND:       Service');
    expect(explain.stdout).toContain('FIELD: ports <[]Object>');
  });
});
