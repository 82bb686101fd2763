/**
 * Issue 4's acceptance, end to end: cluster DNS in a real 3-node kemu cluster. Unmodified
 * curl, dig and busybox nslookup resolve service names from pods on different nodes and
 * in two namespaces through the kube-dns ClusterIP (the node proxies' UDP path to the two
 * dns processes), with the records, negative answers, hostname and service environment
 * of Kubernetes, and keep resolving while a dns process is killed.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, listJson } from '@kemu/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReplies, runCommand } from './kemu-cluster.js';
import { PROXY_MODES } from './proxy-modes.js';
import { useCluster } from './use-cluster.js';

const services = `apiVersion: v1
kind: Namespace
metadata:
  name: production
---
apiVersion: v1
kind: Service
metadata:
  name: web-service
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-service
  namespace: production
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector:
    app: db
  ports:
    - name: pg
      port: 5432
      targetPort: 8080
`;

function pod(name: string, node: string, labels: Record<string, string>, extra = '', namespace = 'default'): string {
  const labelLines = Object.entries(labels)
    .map(([k, v]) => `    ${k}: ${v}`)
    .join('\n');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
${labelLines ? `  labels:\n${labelLines}\n` : ''}spec:
  nodeName: ${node}
  containers:
  - name: main
${extra || '    image: nginx\n    ports:\n    - containerPort: 8080\n'}`;
}

const pods = [
  pod('web-1', 'node-1', { app: 'web' }),
  pod('web-2', 'node-2', { app: 'web' }),
  pod('web-prod', 'node-3', { app: 'web' }, '', 'production'),
  pod('db-1', 'node-1', { app: 'db' }),
  pod('db-2', 'node-3', { app: 'db' }),
  pod('client-1', 'node-1', {}),
  pod('client-3', 'node-3', {}),
  pod('client-prod', 'node-2', {}, '', 'production'),
  // dig runs in the DNS debugging image beside each client (nginx's image has no dig).
  ...['1', '3'].map((n) =>
    pod(
      `dig-${n}`,
      `node-${n}`,
      {},
      `    image: registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3
    command: [sleep, infinity]
`,
    ),
  ),
  pod(
    'bb',
    'node-3',
    {},
    `    image: busybox:1.36
    command: ['sh', '-c', 'hostname; env | grep -E "^(WEB_SERVICE|LATE_SERVICE)_" | sort; sleep 3600']
`,
  ),
].join('---\n');

interface PodJson {
  metadata: { name: string; namespace: string; uid: string };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { containerID?: string }[];
  };
}

describe.each(PROXY_MODES)('cluster DNS in a 3-node cluster (%s proxy mode)', (proxyMode) => {
  const byName = new Map<string, PodJson>();
  let webIP = '';

  async function allPods(): Promise<PodJson[]> {
    return await listJson<PodJson>(cluster, ['pods', '-A']);
  }

  /** dig from the dnsutils pod beside client `podName`, 1 s per try; the last line of +short output (dig prints timeouts before it). */
  async function dig(podName: string, args: string[], namespace?: string): Promise<string> {
    const digPod = podName.replace(/^client-/, 'dig-');
    const r = await cluster.exec(digPod, ['dig', '+timeout=1', '+tries=3', ...args], namespace ? { namespace } : {});
    return r.stdout;
  }

  const cluster = useCluster({ name: 'dns', nodes: 3, proxyMode });

  beforeAll(async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: services });
    webIP = (await cluster.kubectlOk(['get', 'svc', 'web-service', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    // The node-agents must have seen the Services before the pods start (service env vars).
    await new Promise((r) => setTimeout(r, 1_000));
    await cluster.kubectlOk(['apply', '-f', '-'], { input: pods });
    await eventually(
      async () => {
        const all = await allPods();
        for (const p of all) byName.set(p.metadata.name, p);
        const ready = all.filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready.length >= 11 + 5; // our eleven, two coredns and three kube-proxy pods
      },
      { timeoutMs: 60_000, what: 'pods Ready' },
    );
    await eventually(
      async () => {
        const ep = await cluster.kubectlOk(['get', 'endpoints', '-n', 'kube-system', 'kube-dns', '-o', 'json']);
        const ips = (JSON.parse(ep) as { subsets?: { addresses?: { ip: string }[] }[] }).subsets?.flatMap(
          (s) => s.addresses ?? [],
        );
        return new Set(ips?.map((a) => a.ip)).size === 2;
      },
      { timeoutMs: 20_000, what: 'kube-dns endpoints on two nodes' },
    );
  });

  it('runs two dns pods behind the kube-dns Service on 10.96.0.10', async () => {
    const svc = await cluster.kubectlOk(['get', 'svc', '-n', 'kube-system', 'kube-dns', '--show-labels']);
    expect(svc).toMatch(/kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP/);
    expect(svc).toMatch(/k8s-app=kube-dns/);
    expect(svc).toMatch(/kubernetes\.io\/cluster-service=true/);
    expect(svc).toMatch(/kubernetes\.io\/name=CoreDNS/);
    const dnsPods = await cluster.kubectlOk(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns']);
    expect(dnsPods).toMatch(/coredns-node-1\s+1\/1\s+Running/);
    expect(dnsPods).toMatch(/coredns-node-2\s+1\/1\s+Running/);
    const resolv = await cluster.exec('client-1', ['cat', '/etc/resolv.conf']);
    expect(resolv.stdout).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
  });

  it('resolves short and full service names with curl from pods on different nodes and namespaces', async () => {
    const curl = async (podName: string, url: string, namespace?: string) => {
      const r = await cluster.exec(podName, ['curl', '-sS', '-m', '15', url], namespace ? { namespace } : {});
      const [reply] = parseReplies(r.stdout);
      expect(reply, `${podName} ${url}: ${r.stdout}${r.stderr}`).toBeDefined();
      return reply;
    };
    for (const client of ['client-1', 'client-3']) {
      expect((await curl(client, 'http://web-service/'))?.namespace).toBe('default');
      expect((await curl(client, 'http://web-service.default.svc.cluster.local/api'))?.path).toBe('/api');
      expect((await curl(client, 'http://web-service.production.svc.cluster.local/'))?.pod).toBe('web-prod');
    }
    expect((await curl('client-prod', 'http://web-service/', 'production'))?.pod).toBe('web-prod');
    expect((await curl('client-prod', 'http://web-service.default.svc.cluster.local/', 'production'))?.namespace).toBe(
      'default',
    );
  });

  it('answers busybox nslookup, from kemu exec and from a kubectl run pod', async () => {
    const r = await cluster.exec('bb', ['busybox', 'nslookup', 'web-service']);
    expect(r.stdout).toMatch(/Server:\s+10\.96\.0\.10/);
    expect(r.stdout).toMatch(new RegExp(`Name:\\s+web-service\\.default\\.svc\\.cluster\\.local\\nAddress: ${webIP}`));

    await cluster.kubectlOk(['run', 'lookup', '--image=busybox', '--restart=Never', '--', 'nslookup', 'web-service']);
    const done = await eventually(
      async () => {
        const p = (await allPods()).find((x) => x.metadata.name === 'lookup');
        return p?.status.phase === 'Succeeded' || p?.status.phase === 'Failed' ? p : undefined;
      },
      { timeoutMs: 30_000, what: 'the lookup pod to finish' },
    );
    // Debian's busybox 1.35 exits 1 when any search-path candidate is NXDOMAIN, as busybox
    // images do against CoreDNS; what matters is the answer it printed.
    expect(['Succeeded', 'Failed']).toContain(done.status.phase);
    const dir = (await readdir(join(cluster.stateDir, 'pods'))).find((d) => d.startsWith('default_lookup_'));
    const log = await readFile(join(cluster.stateDir, 'pods', dir ?? '', 'lookup.log'), 'utf8');
    expect(log).toMatch(new RegExp(`Name:\\s+web-service\\.default\\.svc\\.cluster\\.local\\nAddress: ${webIP}`));
  });

  it('answers SRV for a named port, PTR, NXDOMAIN for an unknown service and NODATA for AAAA', async () => {
    expect(await dig('client-1', ['+short', 'SRV', '_http._tcp.web-service.default.svc.cluster.local'])).toBe(
      '0 100 80 web-service.default.svc.cluster.local.\n',
    );
    expect(await dig('client-3', ['+short', '-x', webIP])).toBe('web-service.default.svc.cluster.local.\n');
    const nx = await dig('client-1', ['no-such-service.default.svc.cluster.local']);
    expect(nx).toMatch(/status: NXDOMAIN/);
    expect(nx).toMatch(/cluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./);
    const nodata = await dig('client-1', ['AAAA', 'web-service.default.svc.cluster.local']);
    expect(nodata).toMatch(/status: NOERROR/);
    expect(nodata).toMatch(/ANSWER: 0, AUTHORITY: 1/);
    expect(await dig('client-3', ['+tcp', '+short', 'web-service.production.svc.cluster.local'])).toMatch(
      /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+\n$/,
    );
    expect(await dig('client-1', ['+short', 'TXT', 'dns-version.cluster.local'])).toBe('"1.1.0"\n');
  });

  it('answers a headless service with its ready pod IPs and their names', async () => {
    const dbIPs = ['db-1', 'db-2'].map((n) => byName.get(n)?.status.podIP ?? '').sort();
    const answer = await eventually(
      async () => {
        const out = (await dig('client-1', ['+short', 'db.default.svc.cluster.local'])).trim().split('\n').sort();
        return JSON.stringify(out) === JSON.stringify(dbIPs) ? out : undefined;
      },
      { timeoutMs: 10_000, what: 'headless answer' },
    );
    expect(answer).toEqual(dbIPs);
    const first = dbIPs[0] as string;
    expect(await dig('client-3', ['+short', '-x', first])).toBe(
      `${first.replaceAll('.', '-')}.db.default.svc.cluster.local.\n`,
    );
    expect(await dig('client-3', ['+short', `${first.replaceAll('.', '-')}.db.default.svc.cluster.local`])).toBe(
      `${first}\n`,
    );
    expect(await dig('client-1', ['+short', `${first.replaceAll('.', '-')}.default.pod.cluster.local`])).toBe(
      `${first}\n`,
    );
  });

  it('gives each pod its own hostname and the env vars of the services that existed when it started', async () => {
    await cluster.kubectlOk(['create', 'service', 'clusterip', 'late-service', '--tcp=80:8080']);
    const bb = byName.get('bb') as PodJson;
    const log = await readFile(join(cluster.stateDir, 'pods', `default_bb_${bb.metadata.uid}`, 'main.log'), 'utf8');
    const lines = log.trim().split('\n');
    expect(lines[0]).toBe('bb');
    expect(lines).toContain(`WEB_SERVICE_SERVICE_HOST=${webIP}`);
    expect(lines).toContain('WEB_SERVICE_SERVICE_PORT=80');
    expect(lines).toContain('WEB_SERVICE_SERVICE_PORT_HTTP=80');
    expect(lines).toContain(`WEB_SERVICE_PORT_80_TCP=tcp://${webIP}:80`);
    expect(log).not.toMatch(/LATE_SERVICE_/);

    // `kemu exec` enters only the pod's netns; the container's own UTS namespace is the pod's.
    const pid = Number(bb.status.containerStatuses?.[0]?.containerID?.replace('kemu://', ''));
    const hostname = await runCommand('nsenter', ['--uts', '--target', String(pid), 'hostname']);
    expect(hostname.stdout.trim()).toBe('bb');
    const env = await cluster.exec('bb', ['env']);
    expect(env.stdout).toMatch(/^WEB_SERVICE_SERVICE_HOST=/m);
    expect(env.stdout).not.toMatch(/^LATE_SERVICE_/m);
  });

  it('keeps resolving through the ClusterIP while one dns process is killed', async () => {
    const before = await cluster.pids();
    const victim = before['dns-node-1'] as number;
    expect(victim).toBeGreaterThan(0);
    process.kill(victim, 'SIGKILL');
    for (let i = 0; i < 6; i++) {
      const client = i % 2 === 0 ? 'client-1' : 'client-3';
      const lookup = () => dig(client, ['+short', 'web-service.default.svc.cluster.local']);
      const answered = (out: string) => out.trim().split('\n').at(-1) === webIP;
      // userspace: the proxy moves a refused flow to a live endpoint, so one query is answered.
      // nftables: the kernel DNATs each new flow to a random endpoint, the dead one included
      // until it leaves the EndpointSlice (as in kube-proxy's nftables mode), and refuses it
      // at once; the client's next try is answered, as a stub resolver's retry would be.
      const out =
        proxyMode === 'userspace'
          ? await lookup()
          : await eventually(
              async () => {
                const o = await lookup();
                return answered(o) ? o : undefined;
              },
              {
                timeoutMs: 10_000,
                what: `${client} resolving web-service through the ClusterIP`,
              },
            );
      expect(answered(out), out).toBe(true);
    }
    const curl = await cluster.exec('client-3', ['curl', '-sS', '-m', '15', 'http://web-service/']);
    expect(parseReplies(curl.stdout), curl.stderr).toHaveLength(1);
    await eventually(async () => ((await cluster.pids())['dns-node-1'] ?? victim) !== victim, {
      timeoutMs: 15_000,
      what: 'dns-node-1 restarted',
    });
    const nodeIP = byName.get('coredns-node-1')?.status.podIP ?? '';
    await eventually(
      async () =>
        (await dig('client-1', ['+short', `@${nodeIP}`, 'web-service.default.svc.cluster.local'])) === `${webIP}\n`,
      { timeoutMs: 10_000, what: 'the restarted dns answering on the node IP' },
    );
    const logs = await cluster.kubectl(['logs', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '--tail=50']);
    expect(logs.stdout).toMatch(/"msg":"query"/);
  });
});
