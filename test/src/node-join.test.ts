/**
 * A node that joins from outside the cluster's own network setup: `kemu node up` makes
 * its own netns, attaches it to the cluster's underlay bridge, reaches the cluster only
 * through NATS, gets its pod CIDR from the controller's node IPAM and routes to the other
 * nodes' pods (and they to its) by host-gw routes. `kemu node down` removes all of it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { connectEventLog, createObjectWriter, startInformer, WriteForbiddenError } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { eventually, freePort, startNatsServer } from '@kemu/testkit';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type KemuCluster,
  missingPrerequisite,
  parseReplies,
  repoRoot,
  runCommand,
  startCluster,
} from './kemu-cluster.js';

const missing = missingPrerequisite();

const manifests = `
apiVersion: v1
kind: Pod
metadata:
  name: web4
  labels: { app: web4 }
spec:
  nodeName: node-4
  containers:
  - name: web
    image: nginx
    ports: [{ containerPort: 8080 }]
---
apiVersion: v1
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
  name: client1
spec:
  nodeName: node-1
  containers:
  - name: client
    image: nginx
    ports: [{ containerPort: 8080 }]
`;

/** True while the process exists and is not a zombie (one that nobody has reaped yet counts as gone). */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) [ZX]/s.test(stat);
}

const netnsList = async () => (await runCommand('ip', ['netns', 'list'])).stdout;

describe('kemu node up: a node joined through NATS', () => {
  let cluster: KemuCluster;
  let natsUrl: string;
  let underlay: string;
  let netnsBefore: string[];

  beforeAll(async () => {
    if (missing) throw new Error(`cannot run the end-to-end suite: ${missing}`);
    netnsBefore = (await netnsList()).split('\n').filter(Boolean);
    cluster = await startCluster({ name: 'join', nodes: 2 });
    const config = JSON.parse(await readFile(join(cluster.stateDir, 'cluster.json'), 'utf8')) as {
      subnetIndex: number;
    };
    // kemu up's nats-server listens on the host's underlay address, which a joining netns reaches.
    natsUrl = `nats://10.250.${config.subnetIndex}.1:4222`;
    underlay = `kemu-${cluster.name}-ul`;
  }, 240_000);

  /** `kemu node token`: the join credential file of `node`, made on the control-plane machine. */
  async function joinCreds(node: string): Promise<string> {
    const r = await cluster.kemu(['node', 'token', '--name', node]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  }

  afterAll(async () => {
    if (!cluster) return;
    await cluster.kemu(['node', 'down', '--name', 'node-4']);
    await cluster.down();
    const left = (await netnsList()).split('\n').filter((l) => l.includes(`kemu-${cluster.name}-`));
    expect(left).toEqual([]);
  }, 120_000);

  it('joins node-4, runs a pinned pod there that a pod on node-1 reaches by service name and pod IP', async () => {
    // Without a credential the cluster's NATS lets no node in.
    const refused = await cluster.kemu(['node', 'up', '--nats', natsUrl, '--name', 'node-4']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cannot reach NATS');
    const creds = await joinCreds('node-4');
    expect((await stat(creds)).mode & 0o777).toBe(0o600);
    const up = await cluster.kemu(['node', 'up', '--nats', natsUrl, '--name', 'node-4', '--creds', creds], {
      timeoutMs: 120_000,
    });
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(up.stdout).toMatch(/Node "node-4" joined cluster/);
    expect(await netnsList()).toContain(`kemu-${cluster.name}-node-4`);

    const nodes = await cluster.kubectlOk(['get', 'nodes', '--no-headers']);
    expect(nodes).toMatch(/^node-4\s+Ready\s/m);
    const cidr = await cluster.kubectlOk(['get', 'node', 'node-4', '-o', 'jsonpath={.spec.podCIDR}']);
    // node-1 and node-2 brought 10.244.1.0/24 and 10.244.2.0/24; IPAM hands out the lowest free block.
    expect(cidr).toBe('10.244.0.0/24');

    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifests });
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/web4', 'pod/client1', '--timeout=60s']);
    const web4IP = await cluster.kubectlOk(['get', 'pod', 'web4', '-o', 'jsonpath={.status.podIP}']);
    expect(web4IP).toMatch(/^10\.244\.0\.\d+$/);
    // kubectl exec and logs reach node-4's node-agent over NATS: the node needs no apiserver access.
    expect((await cluster.kubectlOk(['exec', 'web4', '--', 'hostname'])).trim()).toBe('web4');
    const addr = await cluster.kubectlOk(['exec', 'web4', '--', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
    expect(addr).toContain(`inet ${web4IP}/24`);
    expect((await cluster.kubectlOk(['logs', 'web4'])).length).toBeGreaterThan(0);

    // node-1 learned a route to node-4's pod CIDR from its Node object.
    const routes = await runCommand('ip', ['-n', `kemu-${cluster.name}-node-1`, 'route', 'show', '10.244.0.0/24']);
    expect(routes.stdout).toMatch(/10\.244\.0\.0\/24 via 10\.250\.\d+\.\d+ .*proto 147/);

    const byName = await eventually(
      async () => {
        const r = await cluster.exec('client1', ['curl', '-sS', '-m', '5', 'http://web4/']);
        const replies = parseReplies(r.stdout);
        return replies.length === 1 ? replies[0] : undefined;
      },
      { timeoutMs: 30_000, what: 'curl http://web4/ from client1' },
    );
    expect(byName.pod).toBe('web4');
    expect(byName.node).toBe('node-4');

    const direct = await cluster.exec('client1', ['curl', '-sS', '-m', '5', `http://${web4IP}:8080/`]);
    const [reply] = parseReplies(direct.stdout);
    expect(reply?.pod).toBe('web4');
    // Routed, not NATed: the backend sees client1's own pod IP.
    const client1IP = await cluster.kubectlOk(['get', 'pod', 'client1', '-o', 'jsonpath={.status.podIP}']);
    expect(reply?.client.replace(/:\d+$/, '')).toBe(client1IP);

    // node-4's credential acts as node-4 only: node-1's Lease is not its to write.
    const log = createLogger({ component: 'e2e', level: 'silent' });
    const asNode4 = await connectEventLog({
      servers: natsUrl,
      name: 'e2e-node-4',
      log,
      failFast: true,
      nkeyFile: creds,
      tlsCaFile: join(cluster.stateDir, 'pki', 'ca.crt'),
    });
    try {
      const informer = await startInformer(asNode4, { resources: ['leases'], log });
      await informer.synced;
      const writer = createObjectWriter(asNode4, informer, { component: 'e2e' });
      await expect(
        writer.update({ resource: 'leases', namespace: 'kube-node-lease', name: 'node-1' }, (l) => ({
          ...l,
          metadata: { ...l.metadata, labels: { stolen: 'yes' } },
        })),
      ).rejects.toBeInstanceOf(WriteForbiddenError);
      await informer.stop();
    } finally {
      await asNode4.close();
    }
  }, 180_000);

  it('kemu node down removes the Node, its pods, netns and links', async () => {
    const veths = async () => (await runCommand('ip', ['-n', underlay, '-o', 'link', 'show'])).stdout;
    expect(await veths()).toMatch(/kn-[0-9a-f]{8}@/);
    const down = await cluster.kemu(['node', 'down', '--name', 'node-4']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('Removed node "node-4"');
    expect(down.stderr).toContain('deleting 1 pod network namespaces');
    const list = await netnsList();
    expect(list).not.toContain(`kemu-${cluster.name}-node-4`);
    expect(await veths()).not.toMatch(/kn-[0-9a-f]{8}@/);
    const get = await cluster.kubectl(['get', 'node', 'node-4']);
    expect(get.stderr).toContain('nodes "node-4" not found');
    expect(await cluster.kubectl(['get', 'pod', 'web4'])).toMatchObject({ code: 1 });
    // Only the cluster's own netns are left: underlay, 2 nodes, client1's pod, dns/proxy are host-network.
    const ours = list.split('\n').filter((l) => l.includes(`kemu-${cluster.name}-`));
    expect(ours.filter((l) => l.includes('-node-'))).toHaveLength(2);
    expect(netnsBefore.length).toBeGreaterThanOrEqual(0);
  }, 60_000);
  it('--here runs the node in the current netns in the foreground and stops its components on SIGTERM', async () => {
    // A netns made by hand stands in for a compose node container: the node runs inside it.
    const ns = `kemu-${cluster.name}-node-5`;
    const ip = (...args: string[]) => runCommand('ip', args);
    const sub = natsUrl.replace(/^nats:\/\/(\d+\.\d+\.\d+)\.\d+:\d+$/, '$1');
    await ip('netns', 'add', ns);
    await ip('-n', underlay, 'link', 'add', 'kt-n5', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await ip('-n', underlay, 'link', 'set', 'kt-n5', 'master', 'br0', 'up');
    await ip('-n', ns, 'addr', 'add', `${sub}.205/24`, 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    const creds5 = await joinCreds('node-5');
    const hereArgs = [
      join(repoRoot, 'kemu'),
      ...['node', 'up', '--here', '--nats', natsUrl, '--name', 'node-5', '--creds', creds5],
    ];
    const hereEnv = { ...process.env, KEMU_HOME: cluster.home, KEMU_CLUSTER: cluster.name };
    const pidsFile = join(cluster.home, 'nodes', cluster.name, 'node-5', 'pids.json');
    const child = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', ...hereArgs], { env: hereEnv, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await eventually(
        async () => /^node-5\s+Ready\s/m.test((await cluster.kubectl(['get', 'nodes', '--no-headers'])).stdout),
        { timeoutMs: 60_000, what: 'node-5 Ready' },
      );
      const internal = await cluster.kubectlOk([
        'get',
        'node',
        'node-5',
        '-o',
        'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}',
      ]);
      expect(internal).toBe(`${sub}.205`);
      // The pod bridge is made in the node's own netns, for the CIDR the controller assigned.
      // (made once the controller assigned the CIDR, which may come just after the node reports Ready).
      const cbr0 = await eventually(
        async () => {
          const r = await ip('-n', ns, '-4', 'addr', 'show', 'dev', 'cbr0').catch(() => ({ stdout: '' }));
          return /inet 10\.244\.\d+\.1\/24/.test(r.stdout) ? r.stdout : undefined;
        },
        { timeoutMs: 20_000, what: 'the pod bridge cbr0 in node-5' },
      );
      expect(cbr0).toMatch(/inet 10\.244\.\d+\.1\/24/);
      const pids = JSON.parse(await readFile(pidsFile, 'utf8')) as Record<string, number>;
      expect(Object.keys(pids).sort()).toEqual(['node-agent', 'proxy', 'supervisor']);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const name of ['node-agent', 'proxy']) expect(await isRunning(pids[name] as number)).toBe(false);

      // node-5 is still Ready (its heartbeat is recent): another node of that name is refused…
      const clash = await cluster.kemu(['node', 'up', '--nats', natsUrl, '--name', 'node-5', '--creds', creds5]);
      expect(clash.code).toBe(1);
      expect(clash.stderr).toContain(`a Ready node named node-5 (${sub}.205) is already in cluster`);
      // The refused run removed nothing of the node that is there.
      expect(JSON.parse(await readFile(join(pidsFile, '..', 'node.json'), 'utf8'))).toMatchObject({ node: 'node-5' });
      // …while the same node coming back at its own address (a restarted container) takes it over.
      const again = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', ...hereArgs], { env: hereEnv, stdio: 'ignore' });
      const againExited = new Promise<number | null>((r) => again.once('exit', (code) => r(code)));
      try {
        await eventually(
          async () => {
            const p = JSON.parse(await readFile(pidsFile, 'utf8')) as Record<string, number>;
            return p.supervisor === again.pid && p['node-agent'] !== undefined;
          },
          { timeoutMs: 30_000, what: 'node-5 supervised again' },
        );
        again.kill('SIGTERM');
        expect(await againExited).toBe(0);
      } finally {
        if (again.exitCode === null) again.kill('SIGKILL');
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      const down = await cluster.kemu(['node', 'down', '--name', 'node-5']);
      expect(down.code, down.stderr).toBe(0);
      await ip('netns', 'delete', ns);
      await ip('-n', underlay, 'link', 'delete', 'kt-n5');
    }
    expect(await cluster.kubectl(['get', 'node', 'node-5'])).toMatchObject({ code: 1 });
  }, 120_000);

  it('kemu down also stops a node joined from this machine and removes its netns and state', async () => {
    const creds6 = await joinCreds('node-6');
    const up = await cluster.kemu(['node', 'up', '--nats', natsUrl, '--name', 'node-6', '--creds', creds6], {
      timeoutMs: 120_000,
    });
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const nodeDir = join(cluster.home, 'nodes', cluster.name, 'node-6');
    const pids = Object.values(
      JSON.parse(await readFile(join(nodeDir, 'pids.json'), 'utf8')) as Record<string, number>,
    );
    const down = await cluster.kemu(['down']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain('processes of nodes joined from this machine');
    for (const pid of pids) expect(await isRunning(pid), `pid ${pid}`).toBe(false);
    expect(await netnsList()).not.toContain(`kemu-${cluster.name}-node-6`);
    await expect(readFile(join(nodeDir, 'node.json'), 'utf8')).rejects.toThrow();
  }, 120_000);
});

describe('kemu up --nats: a control plane on an existing NATS', () => {
  it('starts no nats-server of its own, keeps its state in the given NATS and leaves that NATS running on down', async () => {
    if (missing) throw new Error(`cannot run the end-to-end suite: ${missing}`);
    await using nats = await startNatsServer();
    const name = `ext${randomBytes(2).toString('hex')}`;
    const home = await mkdtemp(join(tmpdir(), `kemu-e2e-${name}-`));
    const env = { KEMU_HOME: home, KEMU_CLUSTER: name };
    const kemu = (args: string[]) => runCommand(join(repoRoot, 'kemu'), args, { env, timeoutMs: 120_000 });
    try {
      const port = await freePort();
      const up = await kemu(['up', '--nats', nats.url, '--nodes', '0', '--apiserver-port', String(port)]);
      expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
      expect(up.stdout).toContain(`NATS ${nats.url}`);
      const kubeconfig = join(home, name, 'kubeconfig');
      const ns = await runCommand('kubectl', ['get', 'namespaces', '-o', 'name'], { env: { KUBECONFIG: kubeconfig } });
      expect(ns.stdout).toContain('namespace/kube-system');
      const pids = JSON.parse(await readFile(join(home, name, 'pids.json'), 'utf8')) as Record<string, number>;
      expect(pids['nats-server']).toBeUndefined();
      expect(pids.apiserver).toBeGreaterThan(0);

      // The event stream lives in the given server's store.
      const streams = await readdir(join(nats.storeDir, 'jetstream', '$G', 'streams'));
      expect(streams).toContain('KEMU');
    } finally {
      const down = await kemu(['down']);
      expect(down.code, down.stderr).toBe(0);
      await rm(home, { recursive: true, force: true });
    }
    expect(nats.process.exitCode).toBeNull();
  }, 120_000);
});
