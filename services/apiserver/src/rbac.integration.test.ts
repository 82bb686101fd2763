/**
 * RBAC against the real kubectl over HTTPS: the admin token (group system:masters) may do
 * anything; a user in no group may only discover and ask `kubectl auth can-i`; a 403
 * carries Kubernetes' message; `kubectl create role/rolebinding/clusterrole/
 * clusterrolebinding` make bindings that take effect at once; the admin impersonates a
 * ServiceAccount with `--as`, whom the default bindings allow nothing but discovery.
 */
import { runKubectl, writeTokenKubeconfig } from './testing/kubectl-client.js';
import { selfSignedCert } from './testing/self-signed-cert.js';
import { connectEventLog, createObjectWriter, type EventLog, type Informer, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { eventually, type NatsServer, startNatsServer } from '@kemu/testkit';
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:https';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from './controllers/bootstrap.js';
import { parseTokenFile } from './http/authn.js';
import { createTokenSigner } from './auth/service-account-token.js';
import { servePodTokens } from './auth/pod-token-service.js';
import { type ApiServer, createApiServer } from './http/server.js';
import { parseCidr } from '@kemu/api';

const log = createLogger({ component: 'apiserver-rbac-test', level: 'silent' });
const ADMIN = 'rbac-test-admin-token-0123456789';
const ALICE = 'rbac-test-alice-token-0123456789';

describe('apiserver RBAC with the real kubectl', () => {
  let nats: NatsServer;
  let eventLog: EventLog;
  let informer: Informer;
  let server: ApiServer;
  let dir: string;
  let url: string;
  let ca: string;
  let admin: string;
  let alice: string;
  let stopPodTokens: (() => void) | undefined;

  const kubectl = (kubeconfig: string, args: string[]) => runKubectl(dir, kubeconfig, args);

  const kubeconfig = (name: string, token: string) => writeTokenKubeconfig(join(dir, name), url, ca, token);

  function get(path: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${url}${path}`,
        { ca, headers: { authorization: `Bearer ${token}` }, agent: false },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-apiserver-rbac-'));
    const { key, cert } = selfSignedCert(dir);
    ca = await readFile(cert, 'utf8');
    nats = await startNatsServer();
    eventLog = await connectEventLog({ servers: nats.url, name: 'apiserver-rbac-test', log });
    informer = await startInformer(eventLog, { log });
    await informer.synced;
    const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
    const rootCa = ca;
    server = createApiServer({
      informer,
      writer,
      log,
      serviceCidr: parseCidr('10.96.0.0/12'),
      tls: { cert: ca, key: await readFile(key, 'utf8') },
      tokenSigner: createTokenSigner(
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
      ),
      tokens: parseTokenFile(`${ADMIN},kemu-admin,kemu-admin,"system:masters"\n${ALICE},alice,alice-uid\n`),
    });
    await bootstrap(server.context, { advertise: '10.250.0.1:6443' });
    stopPodTokens = servePodTokens(server.context, eventLog.nc, rootCa, log);
    const [addr] = await server.listen(['127.0.0.1:0']);
    url = `https://127.0.0.1:${addr?.port}`;
    admin = await kubeconfig('admin', ADMIN);
    alice = await kubeconfig('alice', ALICE);
  });

  afterAll(async () => {
    stopPodTokens?.();
    await server?.close();
    await informer?.stop();
    await eventLog?.close();
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('bootstraps the default ClusterRoles and bindings; the admin may do anything', async () => {
    const roles = await kubectl(admin, ['get', 'clusterroles', '-o', 'name']);
    expect(roles.stderr).toBe('');
    for (const r of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user'])
      expect(roles.stdout).toContain(`clusterrole.rbac.authorization.k8s.io/${r}\n`);
    const bindings = await kubectl(admin, ['get', 'clusterrolebindings', 'cluster-admin', '-o', 'wide']);
    expect(bindings.stdout).toMatch(/cluster-admin\s+ClusterRole\/cluster-admin\s+\S+\s+system:masters/);
    expect((await kubectl(admin, ['auth', 'can-i', '*', '*', '--all-namespaces'])).stdout).toBe('yes\n');
    expect((await kubectl(admin, ['get', 'pods'])).code).toBe(0);
  });

  it("forbids an unbound user with Kubernetes' message and lets it ask can-i", async () => {
    const r = await kubectl(alice, ['get', 'pods']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    const one = await kubectl(alice, ['get', 'deployment', 'web']);
    expect(one.stderr).toContain(
      'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "default"',
    );
    const nodes = await kubectl(alice, ['get', 'nodes']);
    expect(nodes.stderr).toContain('cannot list resource "nodes" in API group "" at the cluster scope');
    const canI = await kubectl(alice, ['auth', 'can-i', 'list', 'pods']);
    expect(canI.stdout).toBe('no\n');
    expect(canI.code).toBe(1);
  });

  it("grants through kubectl create role and rolebinding, in the binding's namespace only", async () => {
    for (const args of [
      ['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods'],
      ['create', 'rolebinding', 'alice-reads-pods', '--role=pod-reader', '--user=alice'],
    ]) {
      const r = await kubectl(admin, args);
      expect(r.stderr, args.join(' ')).toBe('');
    }
    expect((await kubectl(alice, ['auth', 'can-i', 'list', 'pods'])).stdout).toBe('yes\n');
    expect((await kubectl(alice, ['get', 'pods'])).code).toBe(0);
    expect((await kubectl(alice, ['auth', 'can-i', 'create', 'pods'])).stdout).toBe('no\n');
    expect((await kubectl(alice, ['auth', 'can-i', 'list', 'pods', '-n', 'kube-system'])).stdout).toBe('no\n');
    const bindings = await kubectl(admin, ['get', 'rolebindings', '-o', 'wide']);
    expect(bindings.stdout).toMatch(/alice-reads-pods\s+Role\/pod-reader\s+\S+\s+alice/);
    const described = await kubectl(admin, ['describe', 'role', 'pod-reader']);
    expect(described.stderr).toBe('');
    expect(described.stdout).toMatch(/PolicyRule:[\s\S]*pods\s+\[\]\s+\[\]\s+\[get list watch\]/);
    const describedBinding = await kubectl(admin, ['describe', 'rolebinding', 'alice-reads-pods']);
    expect(describedBinding.stdout).toMatch(/Role:\s+Kind:\s+Role\s+Name:\s+pod-reader/);
    expect(describedBinding.stdout).toMatch(/User\s+alice/);
  });

  it('lets the admin impersonate a ServiceAccount, which may do nothing beyond discovery until bound', async () => {
    const as = '--as=system:serviceaccount:default:default';
    expect((await kubectl(admin, ['auth', 'can-i', 'list', 'pods', as])).stdout).toBe('no\n');
    const r = await kubectl(admin, ['get', 'pods', as]);
    expect(r.stderr).toContain(
      'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    expect((await kubectl(admin, ['get', '--raw', '/apis', as])).code).toBe(0);
    expect(
      (await kubectl(admin, ['create', 'clusterrole', 'pod-lister', '--verb=list', '--resource=pods'])).stderr,
    ).toBe('');
    expect(
      (
        await kubectl(admin, [
          'create',
          'clusterrolebinding',
          'default-sa-lists-pods',
          '--clusterrole=pod-lister',
          '--serviceaccount=default:default',
        ])
      ).stderr,
    ).toBe('');
    await eventually(async () => (await kubectl(admin, ['auth', 'can-i', 'list', 'pods', as])).stdout === 'yes\n', {
      timeoutMs: 10_000,
      what: 'the binding to take effect',
    });
    expect((await kubectl(admin, ['get', 'pods', as])).code).toBe(0);
    // Someone who is not allowed to impersonate cannot.
    const denied = await kubectl(alice, ['get', 'pods', as]);
    expect(denied.stderr).toContain(
      'serviceaccounts "default" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"',
    );
  });

  it('issues ServiceAccount tokens (kubectl create token) that RBAC authorizes, and pod-bound ones that die with their pod', async () => {
    expect((await kubectl(admin, ['create', 'namespace', 'team'])).stderr).toBe('');
    expect((await kubectl(admin, ['create', 'serviceaccount', 'bot', '-n', 'team'])).stderr).toBe('');
    const created = await kubectl(admin, ['create', 'token', 'bot', '-n', 'team']);
    expect(created.stderr).toBe('');
    const token = created.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    expect(claims).toMatchObject({
      sub: 'system:serviceaccount:team:bot',
      aud: ['https://kubernetes.default.svc.cluster.local'],
      'kubernetes.io': { namespace: 'team', serviceaccount: { name: 'bot' } },
    });
    expect(claims.exp - claims.iat).toBe(3600);

    const denied = await get('/api/v1/namespaces/team/pods', token);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(
      'pods is forbidden: User "system:serviceaccount:team:bot" cannot list resource "pods" in API group "" in the namespace "team"',
    );
    expect((await get('/apis', token)).status).toBe(200);
    expect(
      (
        await kubectl(admin, [
          'create',
          'rolebinding',
          'bot-views',
          '--clusterrole=view',
          '--serviceaccount=team:bot',
          '-n',
          'team',
        ])
      ).stderr,
    ).toBe('');
    expect((await get('/api/v1/namespaces/team/pods', token)).status).toBe(200);
    expect((await get('/api/v1/namespaces/default/pods', token)).status).toBe(403);
    expect((await get('/api/v1/namespaces/team/pods', `${token.slice(0, -4)}AAAA`)).status).toBe(401);

    // A token bound to a pod stops working once the pod is gone.
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
    await writeFile(join(dir, 'pod.json'), JSON.stringify(pod));
    expect((await kubectl(admin, ['create', '-n', 'team', '-f', join(dir, 'pod.json')])).stderr).toBe('');
    const sa = await kubectl(admin, ['get', 'pod', 'p', '-n', 'team', '-o', 'jsonpath={.spec.serviceAccountName}']);
    expect(sa.stdout).toBe('default');
    const bound = await kubectl(admin, [
      'create',
      'token',
      'bot',
      '-n',
      'team',
      '--bound-object-kind=Pod',
      '--bound-object-name=p',
    ]);
    expect(bound.stderr).toBe('');
    const boundToken = bound.stdout.trim();
    expect(
      JSON.parse(Buffer.from(boundToken.split('.')[1] as string, 'base64url').toString())['kubernetes.io'].pod.name,
    ).toBe('p');
    expect((await get('/api/v1/namespaces/team/pods', boundToken)).status).toBe(200);
    expect((await kubectl(admin, ['delete', 'pod', 'p', '-n', 'team', '--grace-period=0', '--force'])).code).toBe(0);
    await eventually(async () => (await get('/api/v1/namespaces/team/pods', boundToken)).status === 401, {
      timeoutMs: 10_000,
      what: 'the bound token to be refused',
    });
    // Deleting the ServiceAccount ends its tokens too.
    expect((await kubectl(admin, ['delete', 'serviceaccount', 'bot', '-n', 'team'])).code).toBe(0);
    await eventually(async () => (await get('/api/v1/namespaces/team/pods', token)).status === 401, {
      timeoutMs: 10_000,
      what: 'the token of a deleted ServiceAccount to be refused',
    });
  });

  it("answers a node-agent's pod-token request over NATS only for a pod bound to that node, with a token RBAC then authorizes", async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox' }] },
    };
    await writeFile(join(dir, 'web.json'), JSON.stringify(pod));
    expect((await kubectl(admin, ['create', '-f', join(dir, 'web.json')])).stderr).toBe('');
    expect((await kubectl(admin, ['create', 'serviceaccount', 'default'])).stderr).toBe('');
    const uid = (await kubectl(admin, ['get', 'pod', 'web', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const ask = async (node: string, body: object) =>
      JSON.parse(
        new TextDecoder().decode(
          (
            await eventLog.nc.request(`kemu.podtoken.${node}`, new TextEncoder().encode(JSON.stringify(body)), {
              timeout: 5_000,
            })
          ).data,
        ),
      );
    expect((await ask('node-2', { namespace: 'default', name: 'web', uid })).error).toBe(
      'pod default/web is not bound to node node-2',
    );
    expect((await ask('node-1', { namespace: 'default', name: 'web', uid: 'other' })).error).toContain('not found');
    const reply = await ask('node-1', { namespace: 'default', name: 'web', uid });
    expect(reply).toMatchObject({ namespace: 'default', caCrt: ca });
    const claims = JSON.parse(Buffer.from(reply.token.split('.')[1], 'base64url').toString());
    expect(claims['kubernetes.io']).toMatchObject({
      namespace: 'default',
      pod: { name: 'web', uid },
      serviceaccount: { name: 'default' },
    });
    expect(claims.exp - claims.iat).toBe(3607);
    const denied = await get('/api/v1/namespaces/default/services', reply.token);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(
      'services is forbidden: User "system:serviceaccount:default:default" cannot list resource "services" in API group "" in the namespace "default"',
    );
    expect(
      (
        await kubectl(admin, [
          'create',
          'rolebinding',
          'sa-views',
          '--clusterrole=view',
          '--serviceaccount=default:default',
        ])
      ).stderr,
    ).toBe('');
    expect((await get('/api/v1/namespaces/default/services', reply.token)).status).toBe(200);
  });
});
