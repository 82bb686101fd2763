/**
 * `kubectl auth can-i --list` against a real apiserver with the real kubectl: the table
 * it prints from a SelfSubjectRulesReview for the admin, for a ServiceAccount with no
 * bindings (its own token and impersonated with `--as`), and after a RoleBinding to view.
 */
import { runKubectl, writeTokenKubeconfig } from '../testing/kubectl-client.js';
import { connectEventLog, createObjectWriter, type EventLog, type Informer, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { eventually, type NatsServer, startNatsServer } from '@kemu/testkit';
import { parseCidr } from '@kemu/api';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../controllers/bootstrap.js';
import { parseTokenFile } from '../http/authn.js';
import { type ApiServer, createApiServer } from '../http/server.js';
import { selfSignedCert } from '../testing/self-signed-cert.js';
import { createTokenSigner } from './service-account-token.js';

const log = createLogger({ component: 'apiserver-can-i-list-test', level: 'silent' });
const ADMIN = 'can-i-list-admin-token-0123456789';

/** What a real cluster prints for anyone authenticated (system:basic-user, system:discovery, system:public-info-viewer). */
const BASIC = [
  'selfsubjectreviews.authentication.k8s.io        []                  []               [create]',
  'selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]',
  'selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]',
  '                                                [/api/*]            []               [get]',
  '                                                [/api]              []               [get]',
  '                                                [/apis/*]           []               [get]',
  '                                                [/apis]             []               [get]',
  '                                                [/healthz]          []               [get]',
  '                                                [/healthz]          []               [get]',
  '                                                [/livez]            []               [get]',
  '                                                [/livez]            []               [get]',
  '                                                [/openapi/*]        []               [get]',
  '                                                [/openapi]          []               [get]',
  '                                                [/readyz]           []               [get]',
  '                                                [/readyz]           []               [get]',
  '                                                [/version/]         []               [get]',
  '                                                [/version/]         []               [get]',
  '                                                [/version]          []               [get]',
  '                                                [/version]          []               [get]',
];
const HEADER = 'Resources                                       Non-Resource URLs   Resource Names   Verbs';

describe('kubectl auth can-i --list', () => {
  let nats: NatsServer;
  let eventLog: EventLog;
  let informer: Informer;
  let server: ApiServer;
  let dir: string;
  let url: string;
  let ca: string;
  let admin: string;

  const kubectl = (kubeconfig: string, args: string[]) => runKubectl(dir, kubeconfig, args);

  const kubeconfig = (name: string, token: string) => writeTokenKubeconfig(join(dir, name), url, ca, token);

  /** The table's lines, each with its trailing blanks trimmed. */
  async function list(kubeconfig: string, args: string[]): Promise<string[]> {
    const r = await kubectl(kubeconfig, ['auth', 'can-i', '--list', ...args]);
    expect(r.stderr, args.join(' ')).toBe('');
    expect(r.code).toBe(0);
    return r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.trimEnd());
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-apiserver-can-i-list-'));
    const { key, cert } = selfSignedCert(dir);
    ca = await readFile(cert, 'utf8');
    nats = await startNatsServer();
    eventLog = await connectEventLog({ servers: nats.url, name: 'apiserver-can-i-list-test', log });
    informer = await startInformer(eventLog, { log });
    await informer.synced;
    server = createApiServer({
      informer,
      writer: createObjectWriter(eventLog, informer, { component: 'apiserver' }),
      log,
      serviceCidr: parseCidr('10.96.0.0/12'),
      tls: { cert: ca, key: await readFile(key, 'utf8') },
      tokenSigner: createTokenSigner(
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
      ),
      tokens: parseTokenFile(`${ADMIN},kemu-admin,kemu-admin,"system:masters"\n`),
    });
    await bootstrap(server.context, { advertise: '10.250.0.1:6443' });
    const [addr] = await server.listen(['127.0.0.1:0']);
    url = `https://127.0.0.1:${addr?.port}`;
    admin = await kubeconfig('admin', ADMIN);
  });

  afterAll(async () => {
    await server?.close();
    await informer?.stop();
    await eventLog?.close();
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists everything for the admin, through the cluster-admin binding', async () => {
    expect(await list(admin, [])).toEqual([
      'Resources                                       Non-Resource URLs   Resource Names   Verbs',
      '*.*                                             []                  []               [*]',
      '                                                [*]                 []               [*]',
      ...BASIC,
    ]);
    const resources = await kubectl(admin, ['api-resources', '--api-group=authorization.k8s.io', '--no-headers']);
    expect(resources.stderr).toBe('');
    expect(resources.stdout.split('\n').map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual([
      'selfsubjectaccessreviews authorization.k8s.io/v1 false SelfSubjectAccessReview',
      'selfsubjectrulesreviews authorization.k8s.io/v1 false SelfSubjectRulesReview',
      '',
    ]);
  });

  it('lists only the basic rules for an unbound ServiceAccount, by its token and impersonated, then those of view once bound', async () => {
    expect((await kubectl(admin, ['create', 'namespace', 'team'])).stderr).toBe('');
    expect((await kubectl(admin, ['create', 'serviceaccount', 'bot', '-n', 'team'])).stderr).toBe('');
    const token = (await kubectl(admin, ['create', 'token', 'bot', '-n', 'team'])).stdout.trim();
    const bot = await kubeconfig('bot', token);
    const as = '--as=system:serviceaccount:team:bot';
    expect(await list(bot, ['-n', 'team'])).toEqual([HEADER, ...BASIC]);
    expect(await list(admin, [as, '-n', 'team'])).toEqual([HEADER, ...BASIC]);
    // Without the header the columns are narrower; the cells are the same.
    const cells = (lines: string[]) => lines.map((l) => l.trim().split(/\s+/).join(' '));
    expect(cells(await list(bot, ['--no-headers']))).toEqual(cells(BASIC));

    const bound = await kubectl(admin, [
      'create',
      'rolebinding',
      'bot-views',
      '--clusterrole=view',
      '--serviceaccount=team:bot',
      '-n',
      'team',
    ]);
    expect(bound.stderr).toBe('');
    await eventually(async () => (await list(bot, ['-n', 'team'])).length > BASIC.length + 1, {
      timeoutMs: 10_000,
      what: 'the binding to show in the list',
    });
    const viewing = await list(admin, [as, '-n', 'team']);
    expect(viewing).toEqual(await list(bot, ['-n', 'team']));
    const rows = viewing.filter((l) => l !== HEADER && !BASIC.includes(l));
    expect(rows).toContain(
      'pods                                            []                  []               [get list watch]',
    );
    expect(rows).toContain(
      'deployments.apps                                []                  []               [get list watch]',
    );
    expect(rows).toContain(
      'pods/log                                        []                  []               [get list watch]',
    );
    expect(rows.length).toBeGreaterThan(10);
    // view reads; it grants no write verb.
    for (const row of rows) expect(row).toMatch(/ \[get list watch\]$/);
    // Elsewhere the binding grants nothing.
    expect(await list(bot, ['-n', 'default'])).toEqual([HEADER, ...BASIC]);
  });
});
