/**
 * ConfigMaps and Secrets on a real 1-node kemu cluster with the real kubectl: created from
 * literals and files, read by pods as env, envFrom (prefix) and volumes (an exec readiness
 * probe reads one); a volume file follows `kubectl apply` of a new value (env does not);
 * a pod whose ConfigMap is missing
 * waits in CreateContainerConfigError and starts once it exists; the Secret is ciphertext
 * in the NATS stream; get, describe and explain print what kubectl users expect.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAM, connectEventLog, subjectFor } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { eventually, getJson } from '@kemu/testkit';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCluster } from './use-cluster.js';

const appPod = `apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    env:
    - name: COLOR
      valueFrom:
        configMapKeyRef: { name: app-config, key: color }
    - name: DB_PASSWORD
      valueFrom:
        secretKeyRef: { name: db-secret, key: password }
    - name: MAYBE
      valueFrom:
        configMapKeyRef: { name: absent, key: x, optional: true }
    envFrom:
    - prefix: CFG_
      configMapRef: { name: app-config }
    readinessProbe:
      exec: { command: ["cat", "/tmp/kemu-e2e-cfg/app-config/color"] }
      periodSeconds: 1
    volumeMounts:
    - { name: config, mountPath: /tmp/kemu-e2e-cfg/app-config }
    - { name: config, mountPath: /etc/app/color.txt, subPath: color }
    - { name: creds, mountPath: /tmp/kemu-e2e-cfg/creds }
  volumes:
  - name: config
    configMap: { name: app-config }
  - name: creds
    secret:
      secretName: db-secret
      defaultMode: 0400
      items: [{ key: password, path: db/password }]
`;

const waiterPod = `apiVersion: v1
kind: Pod
metadata:
  name: waiter
spec:
  containers:
  - name: waiter
    image: busybox
    command: ["sleep", "3600"]
    envFrom:
    - configMapRef: { name: late-config }
`;

interface PodJson {
  status: {
    conditions?: { type: string; status: string }[];
    containerStatuses?: { state?: { waiting?: { reason?: string; message?: string }; running?: object } }[];
  };
}

const ready = (p: PodJson) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('ConfigMaps and Secrets', () => {
  const cluster = useCluster({ name: 'cfgmap', nodes: 1 });

  it('creates them with kubectl create from literals and files, and serves get, describe and explain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kemu-cfg-'));
    await writeFile(join(dir, 'app.properties'), 'mode=fast\n');
    await cluster.kubectlOk([
      'create',
      'configmap',
      'app-config',
      '--from-literal=color=blue',
      `--from-file=${join(dir, 'app.properties')}`,
    ]);
    await cluster.kubectlOk(['create', 'secret', 'generic', 'db-secret', '--from-literal=password=s3cr3t-pw']);
    const cm = await getJson<{ data: Record<string, string> }>(cluster, ['configmap', 'app-config']);
    expect(cm.data).toEqual({ color: 'blue', 'app.properties': 'mode=fast\n' });
    const secret = await getJson<{ type: string; data: Record<string, string> }>(cluster, ['secret', 'db-secret']);
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data.password ?? '', 'base64').toString()).toBe('s3cr3t-pw');

    expect(await cluster.kubectlOk(['get', 'cm', 'app-config'])).toMatch(/^NAME\s+DATA\s+AGE\napp-config\s+2\s+\d+s/);
    expect(await cluster.kubectlOk(['get', 'secrets'])).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\ndb-secret\s+Opaque\s+1\s+/);
    const described = await cluster.kubectlOk(['describe', 'secret', 'db-secret']);
    expect(described).toMatch(/password:\s+9 bytes/);
    expect(described).not.toContain('s3cr3t-pw');
    expect(await cluster.kubectlOk(['describe', 'configmap', 'app-config'])).toMatch(/color:\n----\nblue/);
    const explain = await cluster.kubectlOk(['explain', 'configmap']);
    expect(explain).toMatch(/KIND:\s+ConfigMap/);
    expect(explain).toMatch(/binaryData\s+<map\[string\]string>/);
    expect(await cluster.kubectlOk(['explain', 'secret.stringData'])).toMatch(/write-only/);
    const apiResources = await cluster.kubectlOk(['api-resources']);
    expect(apiResources).toMatch(/^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
    expect(apiResources).toMatch(/^secrets\s+v1\s+true\s+Secret$/m);

    // stringData is merged into data; an immutable ConfigMap refuses a new value.
    await cluster.kubectlOk(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Secret\nmetadata: {name: sd}\nstringData: {user: admin}\n',
    });
    const sd = await getJson<Record<string, unknown>>(cluster, ['secret', 'sd']);
    expect(sd.data).toEqual({ user: Buffer.from('admin').toString('base64') });
    expect(sd.stringData).toBeUndefined();
    await cluster.kubectlOk(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frozen}\nimmutable: true\ndata: {a: "1"}\n',
    });
    const refused = await cluster.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frozen}\nimmutable: true\ndata: {a: "2"}\n',
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('data: Forbidden: field is immutable when `immutable` is set');
    // tls and docker-registry Secrets, and a ConfigMap from an env file.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=web.local',
        '-keyout',
        join(dir, 'tls.key'),
        '-out',
        join(dir, 'tls.crt'),
      ],
      { stdio: 'ignore' },
    );
    await cluster.kubectlOk([
      'create',
      'secret',
      'tls',
      'web-tls',
      `--cert=${join(dir, 'tls.crt')}`,
      `--key=${join(dir, 'tls.key')}`,
    ]);
    await cluster.kubectlOk([
      'create',
      'secret',
      'docker-registry',
      'regcred',
      '--docker-server=registry.kemu.local',
      '--docker-username=u',
      '--docker-password=p',
    ]);
    await writeFile(join(dir, 'app.env'), '# settings\nLOG_LEVEL=debug\nWORKERS=4\n');
    await cluster.kubectlOk(['create', 'configmap', 'app-env', `--from-env-file=${join(dir, 'app.env')}`]);
    expect((await getJson<{ data: Record<string, string> }>(cluster, ['cm', 'app-env'])).data).toEqual({
      LOG_LEVEL: 'debug',
      WORKERS: '4',
    });
    const types = await cluster.kubectlOk(['get', 'secrets']);
    expect(types).toMatch(/^web-tls\s+kubernetes\.io\/tls\s+2\s+/m);
    expect(types).toMatch(/^regcred\s+kubernetes\.io\/dockerconfigjson\s+1\s+/m);
    const noKey = await cluster.kubectl(['apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: Secret\nmetadata: {name: half}\ntype: kubernetes.io/tls\nstringData: {tls.crt: x}\n',
    });
    expect(noKey.stderr).toContain('data[tls.key]: Required value');
    const badKey = await cluster.kubectl(['create', 'configmap', 'bad', '--from-literal=a b=c']);
    expect(badKey.stderr).toContain('a valid config key must consist of alphanumeric characters');
  });

  it('gives a pod env, envFrom with a prefix and volume files, and updates the files but not the env', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: appPod });
    await eventually(async () => ready(await getJson<PodJson>(cluster, ['pod', 'app'])), {
      timeoutMs: 60_000,
      what: 'pod app Ready',
    });
    const env = await cluster.kubectlOk(['exec', 'app', '--', 'env']);
    expect(env).toMatch(/^COLOR=blue$/m);
    expect(env).toMatch(/^DB_PASSWORD=s3cr3t-pw$/m);
    expect(env).toMatch(/^CFG_color=blue$/m);
    expect(env).not.toMatch(/^MAYBE=/m);
    const read = (path: string) => cluster.kubectlOk(['exec', 'app', '--', 'cat', path]);
    expect(await read('/tmp/kemu-e2e-cfg/app-config/color')).toBe('blue');
    // One key as a file in a directory of the image (subPath).
    expect(await read('/etc/app/color.txt')).toBe('blue');
    expect(await read('/tmp/kemu-e2e-cfg/creds/db/password')).toBe('s3cr3t-pw');
    const mode = await cluster.kubectlOk([
      'exec',
      'app',
      '--',
      'stat',
      '-L',
      '-c',
      '%a',
      '/tmp/kemu-e2e-cfg/creds/db/password',
    ]);
    expect(mode.trim()).toBe('400');

    await cluster.kubectlOk(['apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config}\ndata: {color: green, app.properties: "mode=fast\\n"}\n',
    });
    const applied = Date.now();
    await eventually(async () => (await read('/tmp/kemu-e2e-cfg/app-config/color')) === 'green', {
      timeoutMs: 30_000,
      what: 'the mounted file to follow the new value',
    });
    // The node-agent rewrites on the change event (the kubelet's periodic sync takes up to a minute).
    const updatedMs = Date.now() - applied;
    expect(updatedMs).toBeLessThan(10_000);
    expect(await cluster.kubectlOk(['exec', 'app', '--', 'readlink', '/tmp/kemu-e2e-cfg/app-config/..data'])).toMatch(
      /^\.\.\d{4}_/,
    );
    expect(await cluster.kubectlOk(['exec', 'app', '--', 'env'])).toMatch(/^COLOR=blue$/m);
    // A subPath mount keeps the file it was started with, as the kubelet's does.
    expect(await read('/etc/app/color.txt')).toBe('blue');
  });

  it('holds a pod in CreateContainerConfigError until its ConfigMap exists', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: waiterPod });
    await eventually(
      async () => {
        const w = (await getJson<PodJson>(cluster, ['pod', 'waiter'])).status.containerStatuses?.[0]?.state?.waiting;
        return w?.reason === 'CreateContainerConfigError' && w.message === 'configmap "late-config" not found';
      },
      { timeoutMs: 30_000, what: 'CreateContainerConfigError with the kubelet message' },
    );
    expect(await cluster.kubectlOk(['get', 'pod', 'waiter'])).toMatch(/waiter\s+0\/1\s+CreateContainerConfigError/);
    await eventually(
      async () =>
        /Warning\s+Failed\s+.*Error: configmap "late-config" not found/.test(
          await cluster.kubectlOk(['describe', 'pod', 'waiter']),
        ),
      { timeoutMs: 15_000, what: 'the Failed event in kubectl describe pod' },
    );
    await cluster.kubectlOk(['create', 'configmap', 'late-config', '--from-literal=LATE=yes']);
    await eventually(async () => ready(await getJson<PodJson>(cluster, ['pod', 'waiter'])), {
      timeoutMs: 30_000,
      what: 'pod waiter Ready once the ConfigMap exists',
    });
    expect(await cluster.kubectlOk(['exec', 'waiter', '--', 'env'])).toMatch(/^LATE=yes$/m);
  });

  it('stores the Secret as aesgcm ciphertext in the event log, with the key 0600 in the state dir', async () => {
    const config = JSON.parse(await readFile(join(cluster.stateDir, 'cluster.json'), 'utf8')) as {
      subnetIndex: number;
    };
    // As the CLI: the admin credential, over TLS checked against the cluster CA.
    const e = await connectEventLog({
      servers: `nats://10.250.${config.subnetIndex}.1:4222`,
      name: 'e2e-secrets-at-rest',
      log: createLogger({ component: 'e2e-secrets', level: 'silent' }),
      failFast: true,
      tlsCaFile: join(cluster.stateDir, 'pki', 'ca.crt'),
      nkeyFile: join(cluster.stateDir, 'nats-auth', 'admin.nk'),
    });
    try {
      const jsm = await jetstreamManager(e.nc);
      const subject = subjectFor({ resource: 'secrets', namespace: 'default', name: 'db-secret' });
      const raw = Buffer.from((await jsm.streams.getMessage(STREAM, { last_by_subj: subject }))?.data ?? []);
      expect(raw.toString('latin1')).toContain('k8s:enc:aesgcm:v1:key1:');
      expect(raw.toString('latin1')).not.toContain('s3cr3t-pw');
      expect(raw.toString('latin1')).not.toContain(Buffer.from('s3cr3t-pw').toString('base64'));
    } finally {
      await e.close();
    }
    const { stat } = await import('node:fs/promises');
    expect((await stat(join(cluster.stateDir, 'pki', 'encryption-key'))).mode & 0o777).toBe(0o600);
    const events = await cluster.kemu(['events', '--resource', 'secrets']);
    expect(events.stdout + events.stderr).not.toContain(Buffer.from('s3cr3t-pw').toString('base64'));
  });
});
