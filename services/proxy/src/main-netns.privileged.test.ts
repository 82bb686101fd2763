import {
  type EventLog,
  type Informer,
  connectEventLog,
  createObjectWriter,
  getObject,
  startInformer,
} from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type NatsServer, eventually, startNatsServer } from '@kemu/testkit';
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeProxyPodKey } from './kube-proxy-pod.js';

const NS = 'kt-px-n1';
const CLUSTER_IP = '10.96.0.50';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const log = createLogger({ component: 'test', level: 'silent' });

function sh(args: string[]): string {
  return execFileSync(args[0] as string, args.slice(1), { encoding: 'utf8' });
}

function inNetns(cmd: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile('ip', ['netns', 'exec', NS, ...cmd], { encoding: 'utf8' }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function spawnInNetns(script: string, env: Record<string, string> = {}): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', NS, 'node', ...(script.endsWith('.js') ? [script] : ['-e', script])], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.on('error', () => undefined);
  return child;
}

// -v: curl 7.88 prints the errno text ("Connection refused") only in verbose output.
const curl = (path = '/') => inNetns(['curl', '-v', '-sS', '-m', '3', `http://${CLUSTER_IP}${path}`]);
const loAddresses = async () => (await inNetns(['ip', '-4', 'addr', 'show', 'dev', 'lo'])).stdout;

function backendScript(ip: string, name: string): string {
  return `require('node:http').createServer((q, s) => s.end('${name}')).listen(8080, '${ip}')`;
}

/** Inside the netns: 127.0.0.1:4222 → the unix socket the test serves. */
function relayScript(socketPath: string): string {
  return `const net = require('node:net');
net.createServer((c) => { const u = net.connect(${JSON.stringify(socketPath)}); c.pipe(u).pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); }).listen(4222, '127.0.0.1');`;
}

describe('kube-proxy main in a netns (root)', () => {
  let nats: NatsServer;
  let eventLog: EventLog;
  let informer: Informer;
  let unixRelay: Server;
  let tmp: string;
  let proxy: ChildProcess;
  let proxyOut = '';
  const children: ChildProcess[] = [];

  const removeNetns = () => {
    try {
      execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
    } catch {
      // not there
    }
  };

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '--build', 'services/proxy'], { cwd: repoRoot, stdio: 'inherit' });
    removeNetns();
    sh(['ip', 'netns', 'add', NS]);
    sh(['ip', '-n', NS, 'link', 'set', 'lo', 'up']);

    nats = await startNatsServer();
    tmp = mkdtempSync(join(tmpdir(), 'kt-px-'));
    const socketPath = join(tmp, 'nats.sock');
    unixRelay = createServer((c) => {
      const t = connect({ host: '127.0.0.1', port: nats.port });
      c.pipe(t).pipe(c);
      c.on('error', () => t.destroy());
      t.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => unixRelay.listen(socketPath, () => r()));
    children.push(spawnInNetns(relayScript(socketPath)));
    children.push(spawnInNetns(backendScript('127.0.0.2', 'a')));
    children.push(spawnInNetns(backendScript('127.0.0.3', 'b')));

    eventLog = await connectEventLog({ servers: nats.url, name: 'test', log });
    informer = await startInformer(eventLog, { log });
    await informer.synced;

    proxy = spawnInNetns(join(repoRoot, 'services/proxy/dist/main.js'), {
      KEMU_NATS_URL: 'nats://127.0.0.1:4222',
      KEMU_NODE: 'node-1',
      KEMU_NODE_IP: '10.250.0.11',
      KEMU_SERVICE_CIDR: '10.96.0.0/12',
      KEMU_LOG_LEVEL: 'info',
    });
    proxy.stdout?.setEncoding('utf8').on('data', (d: string) => (proxyOut += d));
    proxy.stderr?.setEncoding('utf8').on('data', (d: string) => (proxyOut += d));
    children.push(proxy);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await informer?.stop().catch(() => undefined);
    await eventLog?.close().catch(() => undefined);
    await new Promise((r) => (unixRelay ? unixRelay.close(r) : r(undefined)));
    await nats?.stop();
    removeNetns();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('puts the ClusterIP on lo, balances curl round robin, refuses at once without endpoints, and cleans up', async () => {
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    const svcKey = { resource: 'services', namespace: 'default', name: 'web' };
    const sliceKey = { resource: 'endpointslices', namespace: 'default', name: 'web-x1' };
    const svc = await writer.put(svcKey, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', uid: 'svc-1' },
      spec: { clusterIP: CLUSTER_IP, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    });
    const slice = (ips: string[]) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: sliceKey.name,
        namespace: 'default',
        uid: 'slice-1',
        labels: { 'kubernetes.io/service-name': 'web' },
      },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: ips.map((ip) => ({
        addresses: [ip],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'node-1',
      })),
    });
    await writer.put(sliceKey, slice(['127.0.0.2', '127.0.0.3']));

    await eventually(async () => (await loAddresses()).includes(`${CLUSTER_IP}/32`), {
      timeoutMs: 20_000,
      what: 'ClusterIP on lo',
    });
    await eventually(async () => (await curl()).code === 0, { timeoutMs: 10_000, what: 'curl through the ClusterIP' });
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) bodies.push((await curl()).stdout);
    expect(bodies.filter((b) => b === 'a')).toHaveLength(3);
    expect(bodies.filter((b) => b === 'b')).toHaveLength(3);
    for (let i = 1; i < 6; i++) expect(bodies[i]).not.toBe(bodies[i - 1]);

    const t0 = Date.now();
    await writer.update(sliceKey, (s) => ({ ...s, endpoints: [] }));
    const refused = await eventually(
      async () => {
        const r = await curl();
        return r.code === 7 && r.stderr.includes('Connection refused') ? r : undefined;
      },
      { timeoutMs: 5000, intervalMs: 10, what: 'connection refused' },
    );
    expect(refused.code).toBe(7);
    expect(Date.now() - t0).toBeLessThan(1000);
    // Refusal is immediate, not a timeout.
    const t1 = Date.now();
    expect((await curl()).stderr).toContain('Connection refused');
    expect(Date.now() - t1).toBeLessThan(500);

    await writer.update(sliceKey, () => slice(['127.0.0.3']));
    await eventually(async () => (await curl()).stdout === 'b', { timeoutMs: 5000, intervalMs: 10 });

    const pod = await eventually(() => getObject(informer.view, kubeProxyPodKey('node-1')), {
      what: 'kube-proxy pod',
    });
    expect(pod.metadata.labels?.['k8s-app']).toBe('kube-proxy');
    expect(pod.status).toMatchObject({ phase: 'Running', podIP: '10.250.0.11', hostIP: '10.250.0.11' });

    await writer.remove(svcKey, svc);
    await eventually(async () => !(await loAddresses()).includes(CLUSTER_IP), {
      timeoutMs: 5000,
      what: 'ClusterIP removed',
    });

    const lines = proxyOut
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.component === 'kube-proxy' && l.node === 'node-1')).toBe(true);
    expect(lines.some((l) => l.msg === 'setting endpoints for service port')).toBe(true);

    if (process.env.KT_PX_SHOW_LOGS) console.log(proxyOut);
    const exited = new Promise<number | null>((r) => proxy.once('exit', (code) => r(code)));
    proxy.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
