/**
 * Issue 7's compose acceptance, end to end, in both proxy modes (issue 16):
 * `./kemu compose up --nodes 3 --proxy-mode M` (3 NATS servers as a JetStream cluster
 * with the event stream on R3, a control-plane container, three node containers)
 * driven with the real kubectl and testcontainers' docker client.
 * A 3-replica Deployment spreads over the node containers and a pod reaches all three by
 * service name, routed (userspace: the backend sees the proxy's node address; nftables:
 * the client pod's own, and the rules are in the node containers' netns, never the
 * host's; pod to pod keeps the pod IP); the NATS servers refuse what issue 15 says they
 * must (a client without a credential, a node's credential writing another node's pod
 * status, a plain-text client, a route peer without the cluster's certificate), and each
 * node container holds its own node's credential only; a pod is fenced off the compose
 * network (NATS, the apiserver's address, the proxies' debug ports) but reaches the
 * `kubernetes` Service and DNS; `docker kill` of a node container
 * makes its Node NotReady, its pod is recreated elsewhere and Endpoints converge, and
 * started again with another address it comes back under its name and credential; a
 * fourth node joined from the host with `kemu node token` and `kemu node up --creds`
 * (its own netns on the compose network's bridge) serves a pod by service name;
 * `docker kill` of a NATS server (the leader of the R3 stream; with
 * KEMU_COMPOSE_KILL_NATS=follower the follower most clients use) under 4 writers of
 * Events loses no acknowledged write and the cluster keeps working.
 * Short timings: heartbeat 1 s, node grace 6 s, eviction 4 s.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WriteForbiddenError, connectEventLog, createPodStatusWriter, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { eventually, getJson, listJson } from '@kemu/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposeCluster, requireDocker, startComposeCluster } from './compose-cluster.js';
import { missingPrerequisite, parseReplies, runCommand } from './kemu-cluster.js';
import { plainTextClient, routePeer } from './nats-probes.js';
import { PROXY_MODES, type ProxyMode, expectClientAddress } from './proxy-modes.js';

process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

interface Condition {
  type: string;
  status: string;
}
interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { podIP?: string; conditions?: Condition[] };
}
interface NodeJson {
  metadata: { name: string };
  spec: { podCIDR?: string };
  status: { addresses?: { type: string; address: string }[]; conditions?: Condition[] };
}

const webYaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: web
          ports: [{ containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;

// Created after the web pods: the scheduler places a pod on the node with fewest pods.
const clientYaml = `apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  containers:
    - name: client
      image: curlimages/curl
      command: [sleep, "3600"]
`;

const web4Yaml = `apiVersion: v1
kind: Service
metadata:
  name: web4
spec:
  selector: { app: web4 }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata:
  name: web4
  labels: { app: web4 }
spec:
  nodeName: node-4
  containers:
    - name: web
      image: web
      ports: [{ containerPort: 8080 }]
`;

/**
 * What the kernel answers `ip route get` for an unassigned pod and service address in a
 * node's netns (`exec` enters it). Never a real packet: without the unreachable routes it
 * would leave the machine through the default route.
 */
async function unassignedRoutes(exec: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const address of ['10.244.250.7', '10.96.200.1']) {
    const r = await runCommand(exec[0] as string, [...exec.slice(1), 'ip', 'route', 'get', address]);
    out.push(`${address}: ${`${r.stdout}${r.stderr}`.trim()}`);
  }
  return out;
}

/**
 * Asserts that neither address leaves the node: both unreachable, except that nftables
 * mode makes the whole service CIDR local (a ClusterIP that no rule DNATs is answered by
 * the node itself, as IPVS mode's kube-ipvs0 does).
 */
function expectStaysInside(routes: string[], mode: ProxyMode): void {
  expect(routes[0]).toBe('10.244.250.7: RTNETLINK answers: No route to host');
  if (mode === 'userspace') expect(routes[1]).toBe('10.96.200.1: RTNETLINK answers: No route to host');
  else expect(routes[1]).toMatch(/^10\.96\.200\.1: local 10\.96\.200\.1 dev lo /);
}

const isReady = (conditions: Condition[] | undefined) =>
  conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe.each(PROXY_MODES)(
  'a docker-compose cluster (3 NATS servers, control plane, 3 node containers, %s proxy mode)',
  (proxyMode) => {
    let cluster: ComposeCluster;
    /** The node container the heal test killed. */
    let killed: { id: string; ip: string; node: string } | undefined;

    beforeAll(async () => {
      const missing = missingPrerequisite();
      if (missing) throw new Error(`cannot run the compose suite: ${missing}`);
      await requireDocker();
      cluster = await startComposeCluster({
        name: 'cmp',
        nodes: 3,
        proxyMode,
        env: { KEMU_NODE_HEARTBEAT_SECONDS: '1', KEMU_NODE_GRACE_SECONDS: '6', KEMU_POD_EVICTION_SECONDS: '4' },
      });
      process.stderr.write(`compose up to 3 nodes Ready (${proxyMode}): ${cluster.upSeconds.toFixed(1)} s\n`);
    }, 300_000);

    afterAll(async () => {
      await cluster?.down();
    }, 120_000);

    const nodes = async () => await listJson<NodeJson>(cluster, ['nodes']);
    const webPods = async () =>
      (await listJson<PodJson>(cluster, ['pods', '-l', 'app=web'])).filter((p) => !p.metadata.deletionTimestamp);
    const internalIP = (n: NodeJson) => n.status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    const curlWeb = async (n: number) => {
      const r = await cluster.kubectl(
        ['exec', 'client', '--', 'sh', '-c', `for i in $(seq ${n}); do curl -sS -m 5 http://web/; echo; done`],
        { timeoutMs: 90_000 },
      );
      return parseReplies(r.stdout);
    };
    /** The address the backend at `podIP` saw for the client pod, over a direct pod-to-pod connection. */
    const directClientAddress = async (podIP: string | undefined) =>
      parseReplies(
        await cluster.kubectlOk(['exec', 'client', '--', 'curl', '-sS', '-m', '5', `http://${podIP}:8080/`]),
      )[0]?.client.split(':')[0];

    it('has every node container as a Ready Node named after its address', async () => {
      const containers = (await cluster.containers('node')).filter((c) => c.running);
      expect(containers).toHaveLength(3);
      const list = await nodes();
      expect(list.filter((n) => isReady(n.status.conditions))).toHaveLength(3);
      expect(list.map(internalIP).sort()).toEqual(containers.map((c) => c.ip).sort());
      expect(new Set(list.map((n) => n.spec.podCIDR)).size).toBe(3);
      // A node is Ready once its node-agent is; its proxy and dns write their mirror pods once
      // they run (the proxy after its data plane is set up). The scheduler counts pods per
      // node, so until then a node looks emptier and the next test's 3 replicas would not spread.
      const mirrored = async () => {
        const pods = await listJson<PodJson>(cluster, ['pods', '-n', 'kube-system']);
        return list.filter((n) => pods.filter((p) => p.spec.nodeName === n.metadata.name).length < 2);
      };
      const t0 = Date.now();
      try {
        await eventually(async () => (await mirrored()).length === 0, {
          timeoutMs: 60_000,
          intervalMs: 500,
          what: "every node's kube-proxy and dns mirror pods",
        });
      } catch (err) {
        const missing = (await mirrored()).map((n) => n.metadata.name);
        process.stderr.write(
          `nodes without both mirror pods: ${missing.join(', ')}\n${await cluster.logs('node', 40)}\n`,
        );
        throw err;
      }
      process.stderr.write(`mirror pods of every node ${Date.now() - t0} ms after 3 nodes Ready (${proxyMode})\n`);
      // docker's default route would carry a packet to an unassigned pod or service address off the machine.
      for (const c of containers) expectStaysInside(await unassignedRoutes(['docker', 'exec', c.id]), proxyMode);
      // Each node container holds one NATS credential, its own node's (the seed kemu keeps for it).
      for (const c of containers) {
        const own = (
          await readFile(join(cluster.stateDir, 'nats-auth', `node-node-${c.ip.split('.')[3]}.nk`), 'utf8')
        ).trim();
        const seeds = await runCommand('docker', ['exec', c.id, 'grep', '-rlsE', '^SU[A-Z2-7]{56}$', '/etc', '/root']);
        expect(seeds.stdout.trim().split('\n')).toEqual(['/etc/kemu-node.creds']);
        expect(await runCommand('docker', ['exec', c.id, 'grep', '^SU', '/etc/kemu-node.creds'])).toMatchObject({
          stdout: `${own}\n`,
        });
      }
      // The control plane holds its own components' credentials, no node's and not the admin's.
      const [cp] = await cluster.containers('control-plane');
      const files = await runCommand('docker', ['exec', cp?.id ?? '', 'ls', '/etc/kemu']);
      expect(files.stdout.trim().split('\n').sort()).toEqual(
        ['apiserver.crt', 'apiserver.key', 'apiserver.nk', 'ca.crt', 'controller.nk', 'sa.key', 'tokens.csv'].sort(),
      );
    });

    it('spreads a 3-replica Deployment over the node containers and reaches all three by service name', async () => {
      await cluster.kubectlOk(['apply', '-f', '-'], { input: webYaml });
      const pods = await eventually(
        async () => {
          const ps = await webPods();
          return ps.length === 3 && ps.every((p) => isReady(p.status.conditions)) && ps;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: '3 ready web pods' },
      );
      expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(3);
      await cluster.kubectlOk(['apply', '-f', '-'], { input: clientYaml });
      await eventually(async () => isReady((await getJson<PodJson>(cluster, ['pod', 'client'])).status.conditions), {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: 'client pod ready',
      });

      const replies = await eventually(
        async () => {
          const rs = await curlWeb(9);
          return new Set(rs.map((r) => r.pod)).size === 3 && rs;
        },
        { timeoutMs: 60_000, intervalMs: 1_000, what: 'replies from all three web pods' },
      );
      // Routed, not NATed: through the userspace proxy a backend sees the client's node
      // address; nftables mode only DNATs, so every backend sees the client pod's own.
      const client = await getJson<PodJson>(cluster, ['pod', 'client']);
      const clientNode = (await nodes()).find((n) => n.metadata.name === client.spec.nodeName);
      const remote = replies.filter((r) => r.node !== client.spec.nodeName);
      expect(remote.length).toBeGreaterThan(0);
      expectClientAddress(proxyMode, replies, client.status.podIP ?? '');
      if (proxyMode === 'userspace')
        for (const r of remote) expect(r.client.split(':')[0]).toBe(clientNode && internalIP(clientNode));

      // Pod to pod on another node container keeps the pod IP.
      const other = pods.find((p) => p.spec.nodeName !== client.spec.nodeName);
      expect(await directClientAddress(other?.status.podIP)).toBe(client.status.podIP);
    });

    it(`runs kube-proxy in ${proxyMode} mode, with nftables rules only in the node containers' netns`, async () => {
      const commands = await cluster.kubectlOk([
        'get',
        'pods',
        '-n',
        'kube-system',
        '-l',
        'k8s-app=kube-proxy',
        '-o',
        'jsonpath={.items[*].spec.containers[0].command}',
      ]);
      expect(commands.match(/--proxy-mode=(\w+)/g)).toEqual(Array(3).fill(`--proxy-mode=${proxyMode}`));
      for (const c of await cluster.containers('node')) {
        const rules = await runCommand('docker', ['exec', c.id, 'nft', 'list', 'table', 'ip', 'kube-proxy']);
        if (proxyMode === 'userspace') {
          expect(rules.code).not.toBe(0);
          continue;
        }
        expect(rules.code, rules.stderr).toBe(0);
        expect(rules.stdout).toMatch(/numgen random mod 3 vmap \{ 0 : goto endpoint-[A-Z2-7]{8}-default\/web\/tcp\//);
      }
      // The host's own ruleset never gets kube-proxy's table.
      const host = await runCommand('nft', ['list', 'tables']);
      expect(host.code, host.stderr).toBe(0);
      expect(host.stdout).not.toContain('kube-proxy');
    });

    it('fences pods off NATS, the apiserver address and the nodes, not off the kubernetes Service and DNS', async () => {
      const client = await getJson<PodJson>(cluster, ['pod', 'client']);
      const all = await cluster.containers();
      const nodeContainers = all.filter((c) => c.service === 'node' && c.running);
      const own = nodeContainers.find((c) => `node-${c.ip.split('.')[3]}` === client.spec.nodeName);
      const other = nodeContainers.find((c) => c !== own);
      const nats = all.find((c) => c.service === 'nats-1');
      const cp = all.find((c) => c.service === 'control-plane');
      if (!own || !other || !nats || !cp) throw new Error(`missing containers: ${all.map((c) => c.service)}`);
      const curl = ['curl', '-sk', '--connect-timeout', '2', '-m', '4', '-o', '/dev/null', '-w', '%{http_code}'];
      // The node itself (its own address: the node container's input) and the compose
      // network beyond it (forwarded).
      const fenced = [
        `http://${nats.ip}:4222/`,
        `https://${cp.ip}:6443/`,
        `http://${own.ip}:10249/`,
        `http://${other.ip}:10249/`,
      ];
      for (const url of fenced) {
        // The node container reaches it (curl connected: 0, or 1/52 for a non-HTTP answer)...
        const fromNode = await runCommand('docker', ['exec', own.id, ...curl, url]);
        expect([0, 1, 8, 52], `${url} from ${client.spec.nodeName}: curl ${fromNode.code}`).toContain(fromNode.code);
        // ...the pod in it does not: the SYN is dropped (28, curl's connect timeout).
        const fromPod = await cluster.kubectl(['exec', 'client', '--', ...curl, url]);
        expect(fromPod.stdout.trim(), `${url} from the pod`).toBe('000');
        expect(fromPod.code, `${url} from the pod: ${fromPod.stderr}`).toBe(28);
      }
      // The apiserver through the kubernetes Service (DNATed to the address above in
      // nftables mode), without a token; DNS still resolves a Service name.
      expect(await cluster.kubectlOk(['exec', 'client', '--', ...curl, 'https://10.96.0.1:443/api'])).toBe('401');
      expect(await cluster.kubectlOk(['exec', 'client', '--', ...curl, 'http://web.default.svc.cluster.local/'])).toBe(
        '200',
      );
    });

    /** The NATS servers' addresses and the cluster CA, as a client on the host reaches them. */
    async function natsServers() {
      const servers = (await cluster.containers()).filter((c) => c.service.startsWith('nats-') && c.running);
      const ca = join(cluster.stateDir, 'pki', 'ca.crt');
      return {
        servers,
        url: servers.map((c) => `nats://${c.ip}:4222`).join(','),
        ca,
        caPem: await readFile(ca, 'utf8'),
      };
    }
    const silent = createLogger({ component: 'e2e', level: 'silent' });

    const refusals: [string, () => Promise<void>][] = [
      [
        'a client without a credential',
        async () => {
          const { url, ca } = await natsServers();
          await expect(
            connectEventLog({ servers: url, name: 'e2e-anonymous', log: silent, failFast: true, tlsCaFile: ca }),
          ).rejects.toThrow(/authorization/i);
        },
      ],
      [
        "a node's credential writing the status of another node's pod",
        async () => {
          const { url, ca } = await natsServers();
          const client = await getJson<PodJson>(cluster, ['pod', 'client']);
          const own = client.spec.nodeName ?? '';
          const victim = (await webPods()).find((p) => p.spec.nodeName !== own);
          if (!victim) throw new Error(`no web pod outside ${own}`);
          const creds = join(cluster.stateDir, 'nats-auth', `join-${own}.creds`);
          const asNode = await connectEventLog({
            servers: url,
            name: 'e2e-node',
            log: silent,
            failFast: true,
            nkeyFile: creds,
            tlsCaFile: ca,
          });
          try {
            const informer = await startInformer(asNode, { resources: ['pods'], node: own, log: silent });
            await informer.synced;
            const status = createPodStatusWriter(asNode, informer, { component: 'node-agent', node: own });
            const key = { resource: 'pods', namespace: 'default', name: victim.metadata.name } as const;
            await expect(status.updateStatus(key, () => ({ phase: 'Failed' }))).rejects.toBeInstanceOf(
              WriteForbiddenError,
            );
            await informer.stop();
          } finally {
            await asNode.close();
          }
          const after = await getJson<PodJson>(cluster, ['pod', victim.metadata.name]);
          expect(isReady(after.status.conditions)).toBe(true);
        },
      ],
      [
        'a plain-text (non-TLS) client',
        async () => {
          for (const s of (await natsServers()).servers) {
            const r = await plainTextClient(s.ip, 4222);
            // The server waits for a TLS handshake: the plain CONNECT and PING end the connection unanswered.
            expect(r.info.tls_required).toBe(true);
            expect(r.reply).not.toContain('PONG');
            expect(r.closed).toBe(true);
          }
        },
      ],
      [
        "a route peer without the cluster's certificate",
        async () => {
          const { servers, caPem } = await natsServers();
          const pki = join(cluster.stateDir, 'pki');
          const own = {
            cert: await readFile(join(pki, 'nats.crt'), 'utf8'),
            key: await readFile(join(pki, 'nats.key'), 'utf8'),
          };
          for (const s of servers) {
            // With the servers' own certificate the route handshake goes through (the probe is sound) ...
            const taken = await routePeer(s.ip, 6222, caPem, s.service, own);
            expect(taken.info, taken.error).toMatchObject({ server_name: s.service });
            // ... without one the server ends it.
            const r = await routePeer(s.ip, 6222, caPem, s.service);
            expect(r.info).toBeUndefined();
            expect(r.error).toBeDefined();
          }
        },
      ],
    ];
    it.each(refusals)('NATS refuses %s', async (_what, check) => {
      await check();
    });

    it('runs a pod as a runc container in its node container: its own PID namespace and root filesystem', async () => {
      // PID 1 is the pod's command, and ps sees only the container's processes (not the node's agents).
      const cmdline = await cluster.kubectlOk(['exec', 'client', '--', 'cat', '/proc/1/cmdline']);
      expect(cmdline.split('\0').filter(Boolean)).toEqual(['sleep', '3600']);
      const ps = await cluster.kubectlOk(['exec', 'client', '--', 'ps', '-o', 'pid,args']);
      const commands = ps
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.trim().replace(/^\d+\s+/, ''));
      expect(commands[0]).toBe('sleep 3600');
      expect(commands.filter((c) => /node|nats|kemu/.test(c))).toEqual([]);
      // The image's root filesystem, not the node container's: no kemu tree, no node binary.
      const ls = await cluster.kubectl(['exec', 'client', '--', 'ls', '/opt/kemu', '/usr/bin/node']);
      expect(ls.code).not.toBe(0);
    });

    it('heals the docker kill of a node container: NotReady, its pod recreated elsewhere, Endpoints converge', async () => {
      const client = await getJson<PodJson>(cluster, ['pod', 'client']);
      const list = await nodes();
      const victimNode = list.find((n) => n.metadata.name !== client.spec.nodeName);
      const victim = (await cluster.containers('node')).find((c) => c.ip === (victimNode && internalIP(victimNode)));
      if (!victimNode || !victim) throw new Error('no node container to kill');
      await cluster.kill(victim.id);
      killed = { id: victim.id, ip: victim.ip, node: victimNode.metadata.name };

      await eventually(
        async () => {
          const n = await getJson<NodeJson>(cluster, ['node', victimNode.metadata.name]);
          return !isReady(n.status.conditions);
        },
        { timeoutMs: 30_000, intervalMs: 500, what: `${victimNode.metadata.name} NotReady` },
      );
      const healed = await eventually(
        async () => {
          const ps = (await webPods()).filter(
            (p) => p.spec.nodeName !== victimNode.metadata.name && isReady(p.status.conditions),
          );
          return ps.length === 3 && ps;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: '3 ready web pods on the live node containers' },
      );
      const podIPs = healed.map((p) => p.status.podIP).sort();
      await eventually(
        async () => {
          const ep = await getJson<{ subsets?: { addresses?: { ip: string }[] }[] }>(cluster, ['endpoints', 'web']);
          const ips = (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
          return JSON.stringify(ips) === JSON.stringify(podIPs);
        },
        { timeoutMs: 30_000, intervalMs: 500, what: 'Endpoints of web = the ready pods' },
      );
      const replies = await eventually(
        async () => {
          const rs = await curlWeb(9);
          return rs.length === 9 && new Set(rs.map((r) => r.pod)).size === 3 && rs;
        },
        { timeoutMs: 30_000, intervalMs: 1_000, what: 'replies from the three live web pods' },
      );
      expect(replies.every((r) => r.node !== victimNode.metadata.name)).toBe(true);
    });

    it('keeps the name and credential of a node container started again with another address', async () => {
      if (!killed) throw new Error('no node container was killed');
      const { id, ip, node } = killed;
      // Another container takes the killed one's address, so docker gives it a new one.
      const inspect = await runCommand('docker', [
        'inspect',
        '-f',
        '{{.Config.Image}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}',
        id,
      ]);
      const [image = '', network = ''] = inspect.stdout.trim().split(' ');
      const squatter = await runCommand('docker', [
        'run',
        '-d',
        '--rm',
        '--network',
        network,
        '--ip',
        ip,
        '--entrypoint',
        'sleep',
        image,
        '300',
      ]);
      expect(squatter.code, squatter.stderr).toBe(0);
      try {
        expect((await runCommand('docker', ['start', id])).code).toBe(0);
        const [restarted] = (await cluster.containers('node')).filter((c) => c.id === id);
        expect(restarted?.ip).toBeTruthy();
        expect(restarted?.ip).not.toBe(ip);
        const back = await eventually(
          async () => {
            const n = await getJson<NodeJson>(cluster, ['node', node]);
            return isReady(n.status.conditions) && internalIP(n) === restarted?.ip && n;
          },
          { timeoutMs: 60_000, intervalMs: 500, what: `${node} Ready again at ${restarted?.ip}` },
        ).catch(diagnose);
        expect(back.metadata.name).toBe(node);
        expect((await nodes()).map((n) => n.metadata.name)).not.toContain(`node-${restarted?.ip.split('.')[3]}`);
      } finally {
        await runCommand('docker', ['rm', '-f', squatter.stdout.trim()]);
      }
    });

    /** Rethrows `err` with the cluster's state and the control plane's warnings, to see why a wait failed. */
    async function diagnose(err: unknown): Promise<never> {
      const state = await cluster.kubectl(['get', 'pods,rs,nodes', '-o', 'wide']);
      const logs = await cluster.logs('control-plane', 40);
      throw new Error(`${String(err)}\n${state.stdout}${state.stderr}\n${logs}`);
    }

    it('serves pods on a fourth node joined from the host with kemu node up (its own netns on the compose bridge)', async () => {
      // Before the NATS kill: joining while JetStream elects a new leader can take up to
      // ~35 s (README, Limits), which is a separate matter from the join itself.
      const natsServers = (await cluster.containers()).filter((c) => c.service.startsWith('nats-') && c.running);
      if (natsServers.length === 0) throw new Error('no running NATS server');
      const natsUrl = natsServers.map((c) => `nats://${c.ip}:4222`).join(',');
      // Outside docker's dynamic range (.128-.254) and the fixed addresses (.10-.13).
      const address = `${natsServers[0]?.ip.split('.').slice(0, 3).join('.')}.64`;
      // Refused without a credential; `kemu node token` makes one that acts as node-4 only.
      const refused = await cluster.kemu(['node', 'up', '--nats', natsUrl, '--name', 'node-4', '--address', address], {
        timeoutMs: 120_000,
      });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('no join credential given');
      const token = await cluster.kemu(['node', 'token', '--name', 'node-4']);
      expect(token.code, token.stderr).toBe(0);
      const creds = token.stdout.trim();
      const startedAt = Date.now();
      const join4 = ['--name', 'node-4', '--address', address, '--creds', creds, '--proxy-mode', proxyMode];
      const up = await cluster.kemu(['node', 'up', '--nats', natsUrl, ...join4], {
        timeoutMs: 120_000,
        env: { KEMU_STREAM_REPLICAS: '3' },
      });
      expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
      process.stderr.write(
        `kemu node up: ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n${`${up.stdout}\n${up.stderr}`
          .split('\n')
          .filter((l) => l.includes('retrying'))
          .map((l) => l.slice(0, 240))
          .join('\n')}\n`,
      );
      try {
        await eventually(
          async () => isReady((await getJson<NodeJson>(cluster, ['node', 'node-4'])).status.conditions),
          {
            timeoutMs: 30_000,
            intervalMs: 500,
            what: 'node-4 Ready',
          },
        );
        await cluster.kubectlOk(['apply', '-f', '-'], { input: web4Yaml });
        const pod = await eventually(
          async () => {
            const p = await getJson<PodJson>(cluster, ['pod', 'web4']);
            return isReady(p.status.conditions) && p;
          },
          { timeoutMs: 60_000, intervalMs: 500, what: 'web4 ready on node-4' },
        );
        expect(pod.spec.nodeName).toBe('node-4');
        // Its netns has a default route through the compose bridge: the cluster CIDRs are unreachable.
        expectStaysInside(await unassignedRoutes(['ip', 'netns', 'exec', `kemu-${cluster.name}-node-4`]), proxyMode);
        const viaService = await eventually(
          async () => {
            const r = await cluster.kubectl(['exec', 'client', '--', 'curl', '-sS', '-m', '5', 'http://web4/']);
            return parseReplies(r.stdout)[0];
          },
          { timeoutMs: 30_000, intervalMs: 1_000, what: 'web4 by service name from the client pod' },
        );
        expect(viaService.pod).toBe('web4');
        expect(viaService.node).toBe('node-4');
        const client = await getJson<PodJson>(cluster, ['pod', 'client']);
        expect(await directClientAddress(pod.status.podIP)).toBe(client.status.podIP);
      } finally {
        const down = await cluster.kemu(['node', 'down', '--name', 'node-4'], { timeoutMs: 60_000 });
        expect(down.code, `${down.stdout}\n${down.stderr}`).toBe(0);
      }
    });

    it('loses no acknowledged write when a NATS server is killed under load and keeps working', async () => {
      const nats = (await cluster.containers()).filter((c) => c.service.startsWith('nats-') && c.running);
      expect(nats).toHaveLength(3);
      const streamOn = async (ip: string) => {
        const res = await fetch(`http://${ip}:8222/jsz?streams=true&config=true`, {
          signal: AbortSignal.timeout(1_000),
        });
        const body = (await res.json()) as {
          meta_cluster?: { leader?: string };
          account_details?: {
            stream_detail?: { name: string; config?: { num_replicas: number }; cluster?: { leader?: string } }[];
          }[];
        };
        const stream = body.account_details?.flatMap((a) => a.stream_detail ?? []).find((s) => s.name === 'KEMU');
        return stream && { ...stream, metaLeader: body.meta_cluster?.leader };
      };
      const jsz = await eventually(
        async () => {
          const stream = await streamOn(nats[0]?.ip ?? '');
          return stream?.cluster?.leader && stream;
        },
        { timeoutMs: 10_000, what: 'the KEMU stream leader' },
      );
      expect(jsz.config?.num_replicas).toBe(3);
      // The stream leader (so JetStream must elect a new one while writes go on), or with
      // KEMU_COMPOSE_KILL_NATS=follower the follower most components are connected to (so
      // they must fail over without an election).
      const connections = async (ip: string) =>
        ((await (await fetch(`http://${ip}:8222/connz`)).json()) as { num_connections: number }).num_connections;
      const followers = nats.filter((c) => c.service !== jsz.cluster?.leader);
      const counts = await Promise.all(followers.map((c) => connections(c.ip)));
      const leader = nats.find((c) => c.service === jsz.cluster?.leader);
      const victim =
        process.env.KEMU_COMPOSE_KILL_NATS === 'follower' ? followers[counts.indexOf(Math.max(...counts))] : leader;
      if (!victim) throw new Error(`no NATS server to kill (stream leader ${jsz.cluster?.leader})`);

      const acked: string[] = [];
      const ackedAt: number[] = [];
      const failed: string[] = [];
      let killedAt = 0;
      const ackedAfterKill = () => acked.filter((n) => Number(n.split('-')[2]) > 0).length;
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const name = `load-${w}-${killedAt ? 1 : 0}-${i}`;
          try {
            const r = await cluster.api('POST', '/api/v1/namespaces/default/events', {
              apiVersion: 'v1',
              kind: 'Event',
              metadata: { name },
              involvedObject: { kind: 'Pod', name: 'client', namespace: 'default' },
              reason: 'Load',
              message: `write ${i} of writer ${w}`,
              type: 'Normal',
            });
            if (r.status === 201) {
              acked.push(name);
              ackedAt.push(Date.now());
            } else failed.push(`${name} (${r.status}: ${r.body.slice(0, 160)})`);
          } catch (err) {
            failed.push(`${name} (${String(err)})`);
          }
        }
      };
      const writers = [0, 1, 2, 3].map((w) => writer(w));
      await new Promise((r) => setTimeout(r, 2_000));
      await cluster.kill(victim.id);
      killedAt = Date.now();
      // When a surviving server reports a new stream leader: the part of the write gap that is
      // JetStream's election (nats-server 2.10: 4-9 s of raft election timeout after SIGKILL).
      const survivors = nats.filter((c) => c !== victim);
      const elected = { stream: -1, meta: -1 };
      const electedAfter = (async () => {
        while (Date.now() - killedAt < 60_000 && (elected.stream < 0 || elected.meta < 0)) {
          for (const c of survivors) {
            const s = await streamOn(c.ip).catch(() => undefined);
            if (elected.stream < 0 && s?.cluster?.leader && s.cluster.leader !== victim.service)
              elected.stream = Date.now() - killedAt;
            if (elected.meta < 0 && s?.metaLeader && s.metaLeader !== victim.service)
              elected.meta = Date.now() - killedAt;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        return `stream leader after the kill seen at ${elected.stream} ms, meta leader at ${elected.meta} ms (was ${jsz.metaLeader})`;
      })();
      await eventually(() => ackedAfterKill() >= 20, {
        timeoutMs: 30_000,
        intervalMs: 200,
        what: '20 writes acknowledged after the kill',
      }).catch(diagnose);
      stop = true;
      await Promise.all(writers);
      // Publish unavailability: the longest time without an acknowledged write from the kill on.
      const times = [killedAt, ...ackedAt.filter((t) => t >= killedAt)].sort((a, b) => a - b);
      const gapMs = Math.max(...times.slice(1).map((t, i) => t - (times[i] as number)));
      process.stderr.write(
        `NATS ${victim.service} (${victim === leader ? 'stream leader' : 'follower'}) killed; writes: ${acked.length} acknowledged, ${failed.length} failed; ${ackedAfterKill()} after the kill; longest gap ${gapMs} ms; ${await electedAfter}\n${failed.map((f) => `  failed: ${f}\n`).join('')}`,
      );

      // Over R11's 5 s: show the control plane's warnings of the failover.
      if (gapMs > 5_000) process.stderr.write(await cluster.logs('control-plane', 60));

      const list = JSON.parse((await cluster.api('GET', '/api/v1/namespaces/default/events')).body) as {
        items: { metadata: { name: string } }[];
      };
      const present = new Set(list.items.map((c) => c.metadata.name));
      expect(acked.filter((n) => !present.has(n))).toEqual([]);
      // JetStream's election (4-9 s on nats-server 2.10) plus the clients' failover.
      expect(gapMs).toBeLessThan(15_000);

      // The cluster keeps working on two NATS servers: a scale-up is scheduled and served.
      await cluster.kubectlOk(['scale', 'deployment', 'web', '--replicas=4']);
      await eventually(
        async () => {
          const ps = (await webPods()).filter((p) => isReady(p.status.conditions));
          return ps.length === 4;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: '4 ready web pods after the NATS kill' },
      ).catch(diagnose);
    });

    it('is removed by kemu compose down: no container or network of the project is left', async () => {
      const r = await cluster.kemu(['compose', 'down', '--name', cluster.name]);
      expect(r.code, r.stderr).toBe(0);
      expect(await cluster.containers()).toEqual([]);
      expect(await cluster.networks()).toEqual([]);
      const kubeconfig = await cluster.kemu(['kubeconfig', '--name', cluster.name]);
      expect(kubeconfig.code).not.toBe(0);
    });
  },
);
