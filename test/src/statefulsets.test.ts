/**
 * StatefulSets end to end (issue 13, items 4 and 6): a real 2-node kemu cluster and the
 * real kubectl. Ordered creation of `web-0…2`, stable DNS names through the headless
 * governing Service (A per pod, SRV), a partitioned rolling update that `kubectl rollout
 * status` follows, history and undo through ControllerRevisions, an ordered scale-down,
 * the refusal of volumeClaimTemplates, and the seed's Database example as a StatefulSet.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, getJson, listJson } from '@kemu/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './kemu-cluster.js';
import { useCluster } from './use-cluster.js';

interface PodJson {
  metadata: { name: string; creationTimestamp: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { hostname?: string; subdomain?: string; containers: { image: string }[] };
  status: { podIP?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

const web = (image: string) => `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 8080
`;

const client = `apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  containers:
  - name: c
    # dig, as in the dnsutils pod of the Kubernetes docs' DNS debugging page.
    image: registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3
    command: ['sleep', '3600']
`;

function readyAt(p: PodJson): string | undefined {
  return p.status.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
}

describe('a StatefulSet on a local 2-node cluster', () => {
  const cluster = useCluster({ name: 'sts', nodes: 2 });

  async function webPods(): Promise<Map<string, PodJson>> {
    const pods = await listJson<PodJson>(cluster, ['pods', '-l', 'app=web']);
    return new Map(pods.map((p) => [p.metadata.name, p]));
  }

  async function dig(args: string[]): Promise<string> {
    const r = await cluster.exec('client', ['dig', '+timeout=1', '+tries=3', '+short', ...args]);
    return r.stdout;
  }

  beforeAll(async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: client });
    await cluster.kubectlOk(['apply', '-f', '-'], { input: web('nginx') });
  });

  it('creates web-0, web-1, web-2 in order, each once the one before is Ready', async () => {
    const out = await cluster.kubectlOk(['rollout', 'status', 'statefulset/web', '--timeout=120s']);
    // kubectl reports a RollingUpdate with rollingUpdate set (defaulted partition 0) this way.
    expect(out).toMatch(
      /Waiting for 1 pods to be ready\.\.\.\npartitioned roll out complete: 3 new pods have been updated\.\.\./,
    );
    const pods = await webPods();
    expect([...pods.keys()].sort()).toEqual(['web-0', 'web-1', 'web-2']);
    for (const [prev, next] of [
      ['web-0', 'web-1'],
      ['web-1', 'web-2'],
    ] as const) {
      // creationTimestamp has second precision.
      const ready = Math.floor(Date.parse(readyAt(pods.get(prev) as PodJson) ?? '') / 1000) * 1000;
      expect(Date.parse((pods.get(next) as PodJson).metadata.creationTimestamp)).toBeGreaterThanOrEqual(ready);
    }
    const p1 = pods.get('web-1') as PodJson;
    expect(p1.spec).toMatchObject({ hostname: 'web-1', subdomain: 'web' });
    expect(p1.metadata.labels).toMatchObject({
      'statefulset.kubernetes.io/pod-name': 'web-1',
      'apps.kubernetes.io/pod-index': '1',
    });
    expect(p1.metadata.labels?.['controller-revision-hash']).toMatch(/^web-[a-z0-9]+$/);
    const table = await cluster.kubectlOk(['get', 'sts', 'web', '-o', 'wide']);
    expect(table).toMatch(/NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES/);
    expect(table).toMatch(/web\s+3\/3\s+\S+\s+nginx\s+nginx/);
    const explained = await cluster.kubectlOk(['explain', 'statefulset.spec.podManagementPolicy']);
    expect(explained).toMatch(/KIND:\s+StatefulSet\nVERSION:\s+v1\n\nFIELD: podManagementPolicy <string>/);
    expect(explained).toMatch(/podManagementPolicy controls how pods are created/);
    const described = await cluster.kubectlOk(['describe', 'sts', 'web']);
    expect(described).toMatch(/Pods Status:\s+3 Running/);
    expect(described).toMatch(/SuccessfulCreate\s+.*create Pod web-2 in StatefulSet web successful/);
  });

  it('gives each pod a stable DNS name through the headless Service (A per pod, SRV)', async () => {
    await eventually(async () => (await cluster.kubectl(['get', 'pod', 'client'])).stdout.includes('Running'), {
      timeoutMs: 60_000,
      what: 'client Running',
    });
    const pods = await webPods();
    for (const name of ['web-0', 'web-2']) {
      const ip = pods.get(name)?.status.podIP;
      expect(ip).toBeTruthy();
      const a = await eventually(
        async () => {
          const out = (await dig([`${name}.web.default.svc.cluster.local`])).trim();
          return out === ip ? out : undefined;
        },
        { timeoutMs: 20_000, what: `${name}.web resolving to its pod` },
      );
      expect(a).toBe(ip);
    }
    const all = (await dig(['web.default.svc.cluster.local'])).trim().split('\n').sort();
    expect(all).toEqual([...pods.values()].map((p) => p.status.podIP).sort());
    const srv = (await dig(['SRV', '_http._tcp.web.default.svc.cluster.local'])).trim().split('\n').sort();
    expect(srv.map((l) => l.split(' ').slice(2).join(' '))).toEqual([
      '8080 web-0.web.default.svc.cluster.local.',
      '8080 web-1.web.default.svc.cluster.local.',
      '8080 web-2.web.default.svc.cluster.local.',
    ]);
  });

  it('rolls out a new image from the highest ordinal, stops at the partition, and undoes it', async () => {
    const rev1 = (
      await cluster.kubectlOk(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.labels.controller-revision-hash}'])
    ).trim();
    await cluster.kubectlOk([
      'patch',
      'sts',
      'web',
      '-p',
      '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}',
    ]);
    await cluster.kubectlOk(['set', 'image', 'statefulset/web', 'nginx=nginx:1.27']);
    const partitioned = await cluster.kubectlOk(['rollout', 'status', 'sts/web', '--timeout=120s']);
    expect(partitioned).toMatch(/partitioned roll out complete: 1 new pods have been updated/);
    const images = async () =>
      Object.fromEntries([...(await webPods())].map(([n, p]) => [n, p.spec.containers[0]?.image]));
    expect(await images()).toEqual({ 'web-0': 'nginx', 'web-1': 'nginx', 'web-2': 'nginx:1.27' });

    await cluster.kubectlOk([
      'patch',
      'sts',
      'web',
      '-p',
      '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}',
    ]);
    const done = await cluster.kubectlOk(['rollout', 'status', 'sts/web', '--timeout=120s']);
    expect(done).toMatch(/partitioned roll out complete: 3 new pods have been updated/);
    const rolled = await getJson<{ status: { currentRevision: string; updateRevision: string } }>(cluster, [
      'sts',
      'web',
    ]);
    expect(rolled.status.currentRevision).toBe(rolled.status.updateRevision);
    expect(rolled.status.currentRevision).not.toBe(rev1);
    expect(await images()).toEqual({ 'web-0': 'nginx:1.27', 'web-1': 'nginx:1.27', 'web-2': 'nginx:1.27' });

    const history = await cluster.kubectlOk(['rollout', 'history', 'sts/web']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const revisions = await cluster.kubectlOk(['get', 'controllerrevisions']);
    expect(revisions).toMatch(new RegExp(`${rev1}\\s+statefulset\\.apps/web\\s+1\\s`));

    expect(await cluster.kubectlOk(['rollout', 'undo', 'sts/web'])).toMatch(/statefulset.apps\/web rolled back/);
    await cluster.kubectlOk(['rollout', 'status', 'sts/web', '--timeout=120s']);
    expect(await images()).toEqual({ 'web-0': 'nginx', 'web-1': 'nginx', 'web-2': 'nginx' });
    const after = await cluster.kubectlOk(['rollout', 'history', 'sts/web']);
    expect(after).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
    const sts = await getJson<{ status: { currentRevision: string } }>(cluster, ['sts', 'web']);
    expect(sts.status.currentRevision).toBe(rev1);
  });

  it('scales down from the highest ordinal, one pod at a time', async () => {
    await cluster.kubectlOk(['scale', 'sts/web', '--replicas=1']);
    const seen: string[] = [];
    await eventually(
      async () => {
        const pods = await webPods();
        const gone = (n: string) => !pods.has(n) || pods.get(n)?.metadata.deletionTimestamp !== undefined;
        if (gone('web-1') && pods.has('web-2')) seen.push(`web-1 going while web-2 exists`);
        return pods.size === 1 && pods.has('web-0');
      },
      { timeoutMs: 120_000, intervalMs: 100, what: 'only web-0 left' },
    );
    expect(seen).toEqual([]);
    const events = await cluster.kubectlOk([
      'get',
      'events',
      '--field-selector',
      'reason=SuccessfulDelete',
      '-o',
      'json',
    ]);
    const messages = (JSON.parse(events) as { items: { message: string }[] }).items.map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'delete Pod web-2 in StatefulSet web successful',
        'delete Pod web-1 in StatefulSet web successful',
      ]),
    );
  });

  it('refuses volumeClaimTemplates with a 422 that says kemu has no storage', async () => {
    const withClaims = `${web('nginx').split('---\n')[1]?.replace('name: web\n', 'name: db\n')}  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
`;
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: withClaims });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /The StatefulSet "db" is invalid: spec.volumeClaimTemplates: Forbidden: kemu has no storage yet/,
    );
  });

  it("runs the seed's Database example as a StatefulSet: app-pod reaches mysql-service, mysql-0.mysql resolves", async () => {
    const yaml = await readFile(join(repoRoot, 'infra/examples/database.yaml'), 'utf8');
    await cluster.kubectlOk(['apply', '-f', '-'], { input: yaml });
    await cluster.kubectlOk(['rollout', 'status', 'statefulset/mysql', '--timeout=120s']);
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
      .map((l) => JSON.parse(l) as { target?: string; greeting?: string });
    expect(ok[0]?.target).toBe('mysql-service:3306');
    expect(ok[0]?.greeting).toMatch(/^mysql ready \(pod mysql-0\)/);
    // The root password reaches the database container from the Secret (secretKeyRef).
    expect((await cluster.kubectlOk(['exec', 'mysql-0', '--', 'printenv', 'MYSQL_ROOT_PASSWORD'])).trim()).toBe(
      'change-me',
    );

    const ip = (await cluster.kubectlOk(['get', 'pod', 'mysql-0', '-o', 'jsonpath={.status.podIP}'])).trim();
    const found = await eventually(
      async () => {
        const r = await cluster.exec('client', ['dig', '+search', '+short', '+timeout=1', 'mysql-0.mysql']);
        return r.stdout.trim() === ip ? r.stdout.trim() : undefined;
      },
      { timeoutMs: 20_000, what: 'mysql-0.mysql resolving by its short name' },
    );
    expect(found).toBe(ip);
    const nslookup = await cluster.exec('app-pod', ['busybox', 'nslookup', 'mysql-0.mysql.default.svc.cluster.local']);
    expect(nslookup.stdout).toContain(`Address: ${ip}`);
  });
});
