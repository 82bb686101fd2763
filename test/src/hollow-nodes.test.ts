/**
 * Issue 17's hollow nodes, end to end: 3 real and 20 hollow nodes side by side (heartbeat
 * 1 s, node grace 6 s). Every Node is Ready, hollow ones labelled; a Deployment spreads
 * over both with every pod Running and Ready at an IP of its node's pod CIDR (hollow pods
 * annotated); the EndpointSlice holds hollow and real endpoints; each real node netns has
 * unreachable routes for the hollow pod CIDRs, so a real pod's curl through the Service
 * still succeeds (the userspace proxy fails fast on hollow endpoints and moves on); `kemu
 * status` counts hollow pods apart; `kemu chaos kill-node` on a hollow node turns it
 * NotReady and its endpoints not ready, and it comes back when the fault ends.
 */
import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr } from '@kemu/api';
import { eventually, getJson, listJson } from '@kemu/testkit';
import { runCommand } from './kemu-cluster.js';
import { useCluster } from './use-cluster.js';

interface Condition {
  type: string;
  status: string;
}
interface NodeJson {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { podCIDR?: string };
  status: { conditions?: Condition[] };
}
interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; conditions?: Condition[] };
}
interface SliceJson {
  metadata: { labels?: Record<string, string> };
  endpoints?: { addresses: string[]; nodeName?: string; conditions?: { ready?: boolean } }[];
}

const REAL = 3;
const HOLLOW = 20;

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${REAL + HOLLOW}
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: ScheduleAnyway
        labelSelector:
          matchLabels: { app: web }
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: web-real
  labels: { app: web }
spec:
  nodeName: node-2
  containers:
  - name: web
    image: nginx
    ports:
    - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  nodeName: node-1
  containers:
  - name: client
    image: curlimages/curl
    command: ["sleep", "3600"]
`;

const isReady = (conditions: Condition[] | undefined) =>
  conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const isHollow = (n: NodeJson) => n.metadata.labels?.['kemu.dev/hollow'] === 'true';

describe('hollow nodes beside real nodes', () => {
  const cluster = useCluster({
    name: 'hol',
    nodes: REAL,
    hollowNodes: HOLLOW,
    env: { KEMU_NODE_HEARTBEAT_SECONDS: '1', KEMU_NODE_GRACE_SECONDS: '6' },
  });
  const nodes = () => listJson<NodeJson>(cluster, ['nodes']);

  it('registers the real and the hollow Nodes, all Ready, the hollow ones labelled', async () => {
    const all = await nodes();
    expect(all.filter((n) => !isHollow(n)).map((n) => n.metadata.name)).toEqual(['node-1', 'node-2', 'node-3']);
    const hollow = all.filter(isHollow);
    expect(hollow).toHaveLength(HOLLOW);
    expect(all.every((n) => isReady(n.status.conditions))).toBe(true);
    expect(hollow.every((n) => n.spec.podCIDR?.startsWith('10.244.'))).toBe(true);
    const table = await cluster.kubectlOk(['get', 'nodes']);
    expect(table).toMatch(/hollow-20\s+Ready/);
  });

  it('gives every real node netns an unreachable route for each hollow pod CIDR', async () => {
    for (const n of ['node-1', 'node-2', 'node-3']) {
      const ns = `kemu-${cluster.name}-${n}`;
      const routes = await runCommand('ip', ['-n', ns, 'route', 'show', 'type', 'unreachable']);
      for (const h of (await nodes()).filter(isHollow))
        expect(routes.stdout).toContain(`unreachable ${h.spec.podCIDR}`);
      // `ip route get` only asks the kernel; no packet is sent.
      const get = await runCommand('ip', ['-n', ns, 'route', 'get', '10.244.255.7']);
      expect(get.code).not.toBe(0);
      expect(get.stderr).toMatch(/No route to host/);
    }
  });

  it('runs a Deployment over real and hollow nodes: Running, Ready, at IPs of their nodes, hollow pods marked', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifests });
    const cidrs = new Map((await nodes()).map((n) => [n.metadata.name, n.spec.podCIDR ?? '']));
    const hollowNames = new Set((await nodes()).filter(isHollow).map((n) => n.metadata.name));
    const pods = await eventually(
      async () => {
        const web = (await listJson<PodJson>(cluster, ['pods', '-l', 'app=web'])).filter((p) => p.spec.nodeName);
        return web.length === REAL + HOLLOW + 1 &&
          web.every((p) => p.status.phase === 'Running' && isReady(p.status.conditions))
          ? web
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000, what: 'every web pod Running and Ready' },
    );
    for (const p of pods) {
      const node = p.spec.nodeName ?? '';
      expect(
        cidrContains(parseCidr(cidrs.get(node) ?? ''), p.status.podIP ?? ''),
        `${p.metadata.name} on ${node}`,
      ).toBe(true);
      expect(p.metadata.annotations?.['kemu.dev/hollow'] === 'true').toBe(hollowNames.has(node));
    }
    const onHollow = new Set(pods.map((p) => p.spec.nodeName).filter((n) => hollowNames.has(n ?? '')));
    expect(onHollow.size).toBeGreaterThanOrEqual(10);
    expect(pods.some((p) => !hollowNames.has(p.spec.nodeName ?? ''))).toBe(true);
  });

  it('holds hollow and real endpoints in the EndpointSlice, all ready', async () => {
    const hollowNames = new Set((await nodes()).filter(isHollow).map((n) => n.metadata.name));
    const endpoints = await eventually(
      async () => {
        const slices = await listJson<SliceJson>(cluster, ['endpointslices', '-l', 'kubernetes.io/service-name=web']);
        const eps = slices.flatMap((s) => s.endpoints ?? []);
        return eps.length === REAL + HOLLOW + 1 && eps.every((e) => e.conditions?.ready) ? eps : undefined;
      },
      { timeoutMs: 30_000, what: 'every web endpoint ready' },
    );
    expect(endpoints.filter((e) => hollowNames.has(e.nodeName ?? '')).length).toBeGreaterThanOrEqual(10);
    expect(endpoints.some((e) => e.nodeName === 'node-2')).toBe(true);
  });

  it("reaches a real pod through the Service from a real pod: the proxy's dials to hollow endpoints fail at once", async () => {
    await eventually(
      async () => (await getJson<PodJson>(cluster, ['pod', 'client'])).status.phase === 'Running' || undefined,
      { timeoutMs: 60_000, what: 'client Running' },
    );
    // A client that opens new connections until one answers, as a retrying client does; each
    // connection gets the proxy's 4 dial attempts, which a hollow endpoint ends in microseconds.
    const script =
      'start=$(date +%s); for i in $(seq 40); do if curl -s -m 3 http://web/; then echo; echo "tries=$i"; break; fi; done; echo "secs=$(( $(date +%s) - start ))"';
    const r = await cluster.exec('client', ['sh', '-c', script], { timeoutMs: 90_000 });
    expect(r.stdout).toMatch(/"node":"node-\d"/);
    const tries = Number(/tries=(\d+)/.exec(r.stdout)?.[1]);
    const secs = Number(/secs=(\d+)/.exec(r.stdout)?.[1]);
    expect(tries).toBeGreaterThanOrEqual(1);
    // Unreachable endpoints cost no dial timeout: well under the 250 ms first timeout per failed connection.
    expect(secs).toBeLessThanOrEqual(Math.max(3, tries));
  });

  it('counts hollow pods apart from real ones in kemu status', async () => {
    const r = await cluster.kemu(['status', '--name', cluster.name]);
    expect(r.stdout).toContain(`Hollow nodes: ${HOLLOW} (${HOLLOW} Ready)`);
    const m = /Pods: (\d+) \(\d+ Running\); hollow pods: (\d+) \((\d+) Running\)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m?.[2])).toBeGreaterThanOrEqual(10);
    expect(Number(m?.[3])).toBe(Number(m?.[2]));
  });

  it('turns a hollow node killed by kemu chaos NotReady with its endpoints not ready, and back once the fault ends', async () => {
    const victim = (await listJson<PodJson>(cluster, ['pods', '-l', 'app=web'])).find((p) =>
      p.spec.nodeName?.startsWith('hollow-'),
    )?.spec.nodeName as string;
    const chaos = cluster.kemu(['chaos', 'kill-node', '--name', cluster.name, '--node', victim, '--for', '20s'], {
      timeoutMs: 60_000,
    });
    const nodeReady = async () =>
      (await getJson<NodeJson>(cluster, ['node', victim])).status.conditions?.find((c) => c.type === 'Ready')?.status;
    await eventually(async () => (await nodeReady()) !== 'True' || undefined, {
      timeoutMs: 20_000,
      what: `${victim} NotReady`,
    });
    await eventually(
      async () => {
        const slices = await listJson<SliceJson>(cluster, ['endpointslices', '-l', 'kubernetes.io/service-name=web']);
        const mine = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.nodeName === victim);
        return mine.length > 0 && mine.every((e) => !e.conditions?.ready) ? true : undefined;
      },
      { timeoutMs: 15_000, what: `${victim}'s endpoints not ready` },
    );
    const r = await chaos;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`node-kill: ${victim} (hollow`);
    await eventually(async () => (await nodeReady()) === 'True' || undefined, {
      timeoutMs: 20_000,
      what: `${victim} Ready again`,
    });
  });
});
