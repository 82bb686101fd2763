/**
 * Deployments and ReplicaSets end to end (issue 5): a real 3-node kemu cluster and the
 * real kubectl; pods named `<deployment>-<pod-template-hash>-<5>`, self-healing after a
 * delete and restart in place after a kill -9, scaling, a rolling update that `kubectl
 * rollout status` follows, and cascading deletion.
 */
import { useCluster } from './use-cluster.js';
import { describe, expect, it } from 'vitest';
import { consistently, eventually, getJson } from '@kemu/testkit';

interface PodJson {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: {
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { containerID?: string; restartCount: number }[];
  };
}

interface ReplicaSetJson {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
  status: { replicas?: number; readyReplicas?: number };
}

function manifest(o: { image: string; version: string }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels:
    app: shop
spec:
  replicas: 3
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
        image: ${o.image}
        env:
        - name: VERSION
          value: "${o.version}"
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector:
    app: shop
  ports:
  - port: 80
    targetPort: 8080
`;
}

const POD_NAME = /^shop-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

function isReady(p: PodJson): boolean {
  return p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

describe('a Deployment on a local 3-node cluster', () => {
  const cluster = useCluster({ name: 'depl', nodes: 3 });

  async function shopPods(): Promise<PodJson[]> {
    const out = await cluster.kubectlOk(['get', 'pods', '-l', 'app=shop', '-o', 'json']);
    return (JSON.parse(out) as { items: PodJson[] }).items;
  }

  async function replicaSets(): Promise<ReplicaSetJson[]> {
    const out = await cluster.kubectlOk(['get', 'rs', '-l', 'app=shop', '-o', 'json']);
    return (JSON.parse(out) as { items: ReplicaSetJson[] }).items;
  }

  // Exactly `n` pods that are not terminating, all Ready.
  async function readyShopPods(n: number, what: string): Promise<PodJson[]> {
    return eventually(
      async () => {
        const live = (await shopPods()).filter((p) => !p.metadata.deletionTimestamp);
        return live.length === n && live.every(isReady) ? live : undefined;
      },
      { timeoutMs: 90_000, what },
    );
  }

  async function endpointIPs(): Promise<string[]> {
    const ep = await getJson<{
      subsets?: { addresses?: { ip: string }[] }[];
    }>(cluster, ['endpoints', 'shop']);
    return (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  }

  async function endpointsAre(pods: PodJson[]): Promise<void> {
    const want = pods.map((p) => p.status.podIP ?? '').sort();
    await eventually(async () => JSON.stringify(await endpointIPs()) === JSON.stringify(want), {
      timeoutMs: 30_000,
      what: `endpoints ${want.join(', ')}`,
    });
  }

  function rows(table: string): string[][] {
    return table
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
  }

  let pods: PodJson[] = [];

  it('runs 3 Ready pods named <deployment>-<hash>-<5> over the 3 nodes, behind the Service', async () => {
    const out = await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest({ image: 'nginx', version: '1' }) });
    expect(out).toContain('deployment.apps/shop created');
    expect(out).toContain('service/shop created');
    pods = await readyShopPods(3, '3 shop pods Ready');
    for (const p of pods) expect(p.metadata.name).toMatch(POD_NAME);
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(3);
    const [rs] = await replicaSets();
    expect(rs?.metadata.name).toMatch(/^shop-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    for (const p of pods) {
      expect(p.metadata.name.startsWith(`${rs?.metadata.name}-`)).toBe(true);
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'ReplicaSet',
        name: rs?.metadata.name,
        controller: true,
      });
    }
    await endpointsAre(pods);

    const deploy = await eventually(
      async () => {
        const t = rows(await cluster.kubectlOk(['get', 'deploy', 'shop']));
        return t[1]?.slice(0, 4).join(' ') === 'shop 3/3 3 3' ? t : undefined;
      },
      { timeoutMs: 30_000, what: 'deployment shop 3/3' },
    );
    expect(deploy[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    const rsTable = rows(await cluster.kubectlOk(['get', 'rs']));
    expect(rsTable[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(rsTable[1]?.slice(0, 4)).toEqual([rs?.metadata.name, '3', '3', '3']);
    const both = await cluster.kubectlOk(['get', 'deploy,rs']);
    expect(both).toContain('deployment.apps/shop');
    expect(both).toContain(`replicaset.apps/${rs?.metadata.name}`);
    const status = await cluster.kubectlOk(['rollout', 'status', 'deployment/shop', '--timeout=60s']);
    expect(status).toContain('deployment "shop" successfully rolled out');
    const events = await cluster.kubectlOk(['get', 'events', '-o', 'custom-columns=R:.reason,M:.message']);
    expect(events).toContain(`Scaled up replica set ${rs?.metadata.name} from 0 to 3`);
    expect(events).toContain(`Created pod: ${pods[0]?.metadata.name}`);
  });

  it('replaces a deleted pod with a new Ready one in the Endpoints', async () => {
    const victim = pods[0] as PodJson;
    await cluster.kubectlOk(['delete', 'pod', victim.metadata.name]);
    const after = await readyShopPods(3, 'a replacement pod Ready');
    const names = after.map((p) => p.metadata.name);
    expect(names).not.toContain(victim.metadata.name);
    expect(names.filter((n) => !pods.some((p) => p.metadata.name === n))).toHaveLength(1);
    await endpointsAre(after);
    pods = after;
  });

  it('restarts a killed pod process in place instead of replacing the pod', async () => {
    const victim = pods[0] as PodJson;
    const pid = Number(victim.status.containerStatuses?.[0]?.containerID?.replace('kemu://', ''));
    expect(pid).toBeGreaterThan(1);
    process.kill(pid, 'SIGKILL');
    const after = await eventually(
      async () => {
        const live = (await shopPods()).filter((p) => !p.metadata.deletionTimestamp);
        const same = live.find((p) => p.metadata.uid === victim.metadata.uid);
        return same?.status.containerStatuses?.[0]?.restartCount === 1 && isReady(same) && live.every(isReady)
          ? live
          : undefined;
      },
      { timeoutMs: 60_000, what: `${victim.metadata.name} restarted in place` },
    );
    expect(after.map((p) => p.metadata.uid).sort()).toEqual(pods.map((p) => p.metadata.uid).sort());
    await endpointsAre(after);
  });

  it('scales up to 5 and down to 2 with kubectl scale', async () => {
    expect(await cluster.kubectlOk(['scale', 'deploy/shop', '--replicas=5'])).toContain('deployment.apps/shop scaled');
    const five = await readyShopPods(5, '5 shop pods Ready');
    await endpointsAre(five);
    await cluster.kubectlOk(['scale', 'deploy/shop', '--replicas=2']);
    const two = await readyShopPods(2, '2 shop pods left');
    await endpointsAre(two);
    const [rs] = await replicaSets();
    expect(rs?.spec.replicas).toBe(2);
  });

  it('rolls out a changed template with kubectl rollout status and empties the old ReplicaSet', async () => {
    const [old] = await replicaSets();
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest({ image: 'nginx:1.27', version: '2' }) });
    const status = await cluster.kubectlOk(['rollout', 'status', 'deployment/shop', '--timeout=120s']);
    expect(status).toContain('deployment "shop" successfully rolled out');
    const rss = await replicaSets();
    expect(rss).toHaveLength(2);
    const next = rss.find((rs) => rs.metadata.name !== old?.metadata.name);
    const prev = rss.find((rs) => rs.metadata.name === old?.metadata.name);
    expect(next?.spec.template.spec.containers[0]?.image).toBe('nginx:1.27');
    expect(next?.spec.replicas).toBe(3);
    expect(next?.status.readyReplicas).toBe(3);
    expect(next?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(prev?.spec.replicas).toBe(0);
    const deploy = await getJson<ReplicaSetJson>(cluster, ['deploy', 'shop']);
    expect(deploy.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    const live = await readyShopPods(3, '3 pods of the new template');
    for (const p of live) expect(p.spec.containers[0]?.image).toBe('nginx:1.27');
    await endpointsAre(live);
  });

  it('scales a Deployment stuck mid rollout in proportion over its old and new ReplicaSets', async () => {
    // 2 replicas, maxSurge 1, maxUnavailable 0; the second template never gets ready, so the
    // rollout holds at old 2 + new 1. Scaling to 4 (max 5) adds round(2×5/3)−2 = 1 to the
    // old and round(1×5/3)−1 = 1 to the new ReplicaSet, as Kubernetes' proportional scaling.
    const prop = (version: string, readyDelay: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: prop, labels: { app: prop } }
spec:
  replicas: 2
  selector: { matchLabels: { app: prop } }
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: prop } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: nginx
        env: [{ name: VERSION, value: "${version}" }, { name: KEMU_READY_DELAY_SECONDS, value: "${readyDelay}" }]
        ports: [{ containerPort: 8080 }]
        readinessProbe: { httpGet: { path: /ready, port: 8080 }, periodSeconds: 1 }
`;
    const sizes = async () => {
      const out = await cluster.kubectlOk(['get', 'rs', '-l', 'app=prop', '-o', 'json']);
      const items = (
        JSON.parse(out) as {
          items: (ReplicaSetJson & {
            spec: { template: { spec: { containers: { env?: { name: string; value: string }[] }[] } } };
          })[];
        }
      ).items;
      const version = (rs: (typeof items)[number]) =>
        rs.spec.template.spec.containers[0]?.env?.find((e) => e.name === 'VERSION')?.value;
      return Object.fromEntries(items.map((rs) => [`v${version(rs)}`, rs.spec.replicas]));
    };
    await cluster.kubectlOk(['apply', '-f', '-'], { input: prop('1', '0') });
    await cluster.kubectlOk(['rollout', 'status', 'deployment/prop', '--timeout=60s']);
    await cluster.kubectlOk(['apply', '-f', '-'], { input: prop('2', '3600') });
    await eventually(
      async () => {
        const z = await sizes();
        return (z.v1 === 2 && z.v2 === 1) || undefined;
      },
      {
        timeoutMs: 30_000,
        what: 'the rollout held at old 2 + new 1',
      },
    );
    await cluster.kubectlOk(['scale', 'deploy/prop', '--replicas=4']);
    await eventually(
      async () => {
        const s = await sizes();
        return s.v1 === 3 && s.v2 === 2 ? s : undefined;
      },
      { timeoutMs: 30_000, what: 'old 3 + new 2 after scaling to 4' },
    );
    // And it stays there: the new pods never get ready, the old ones may not go.
    await consistently(async () => expect(await sizes()).toEqual({ v1: 3, v2: 2 }), {
      forMs: 1_500,
      everyMs: 300,
      what: 'old 3 + new 2',
    });
    await cluster.kubectlOk(['delete', 'deploy', 'prop', '--wait=false']);
  });

  it('deletes the ReplicaSets and pods with the Deployment', async () => {
    expect(await cluster.kubectlOk(['delete', 'deploy', 'shop'])).toContain('deployment.apps "shop" deleted');
    await eventually(async () => (await replicaSets()).length === 0 && (await shopPods()).length === 0, {
      timeoutMs: 90_000,
      what: 'no shop ReplicaSets or pods',
    });
  });
});
