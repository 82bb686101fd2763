/**
 * The node-agent as a process in a real node netns (`kt-ag-n1`, cbr0 10.244.1.1/24,
 * joined to the host by veth `kt-ag-h` on 10.250.231.0/24 where a real nats-server
 * listens), driven only through the event log. Needs root.
 */
import type { Node, Pod } from '@kemu/api';
import {
  type EventLog,
  type Informer,
  type ObjectWriter,
  connectEventLog,
  createObjectWriter,
  getObject,
  startInformer,
} from '@kemu/eventlog';
import { nodeRuntimeDir, removeRuntime } from '@kemu/containers';
import { createLogger } from '@kemu/log';
import { deleteNetns, listNetns, run } from '@kemu/netns';
import { clusterCgroupDirs, removeCgroupTree } from './runtime/pod-cgroups.js';
import { type NatsServer, consistently, eventually, startNatsServer } from '@kemu/testkit';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NODE_NS = 'kt-ag-n1';
const HOST_VETH = 'kt-ag-h';
const HOST_IP = '10.250.231.1';
const NODE_IP = '10.250.231.11';
const CLUSTER = 'ktag';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const log = createLogger({ component: 'test', level: 'silent' });

async function cleanupNetwork(): Promise<void> {
  for (const ns of await listNetns()) {
    if (ns.startsWith(`kemu-${CLUSTER}-pod-`)) {
      await deleteNetns(ns).catch(() => undefined);
      rmSync(join('/etc/netns', ns), { recursive: true, force: true });
    }
  }
  await deleteNetns(NODE_NS).catch(() => undefined);
  await run('ip', ['link', 'del', HOST_VETH]).catch(() => undefined);
}

async function setupNetwork(): Promise<void> {
  const ip = (...args: string[]) => run('ip', args);
  await ip('netns', 'add', NODE_NS);
  await ip('link', 'add', HOST_VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NODE_NS);
  await ip('addr', 'add', `${HOST_IP}/24`, 'dev', HOST_VETH);
  await ip('link', 'set', HOST_VETH, 'up');
  await ip('-n', NODE_NS, 'link', 'set', 'lo', 'up');
  await ip('-n', NODE_NS, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'eth0');
  await ip('-n', NODE_NS, 'link', 'set', 'eth0', 'up');
  await ip('-n', NODE_NS, 'link', 'add', 'cbr0', 'type', 'bridge');
  await ip('-n', NODE_NS, 'addr', 'add', '10.244.1.1/24', 'dev', 'cbr0');
  await ip('-n', NODE_NS, 'link', 'set', 'cbr0', 'up');
}

/** Alive and not a zombie (orphans are reaped by whatever init the machine has, maybe late). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const podKey = (name: string) => ({ resource: 'pods', namespace: 'default', name });

function newPod(name: string, spec: Partial<Pod['spec']> & Pick<Pod['spec'], 'containers'>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: randomUUID(), creationTimestamp: new Date().toISOString() },
    spec: { nodeName: 'node-1', ...spec },
  };
}

describe('node-agent in a node netns', () => {
  let nats: NatsServer;
  let eventLog: EventLog;
  let informer: Informer;
  let writer: ObjectWriter;
  let agent: ChildProcess | undefined;
  let stateDir: string;
  let agentLog: string;

  function startAgent(): void {
    const out = openSync(agentLog, 'a');
    agent = spawn(
      'nsenter',
      [`--net=/run/netns/${NODE_NS}`, process.execPath, join(root, 'services/node-agent/dist/main.js')],
      {
        env: {
          ...process.env,
          KEMU_NATS_URL: nats.url,
          KEMU_NODE: 'node-1',
          KEMU_NODE_IP: NODE_IP,
          KEMU_POD_CIDR: '10.244.1.0/24',
          KEMU_CLUSTER: CLUSTER,
          KEMU_STATE_DIR: stateDir,
          KEMU_NODE_HEARTBEAT_SECONDS: '1',
          KEMU_LOG_LEVEL: 'debug',
        },
        stdio: ['ignore', out, out],
      },
    );
  }

  const pod = (name: string) => getObject(informer.view, podKey(name));
  const ready = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const pidOf = (p: Pod | undefined) => Number(p?.status?.containerStatuses?.[0]?.containerID?.replace('kemu://', ''));
  const netnsOf = (p: Pod) => `kemu-${CLUSTER}-pod-${(p.metadata.uid ?? '').replaceAll('-', '').slice(0, 12)}`;
  const inNode = (...cmd: string[]) => run('ip', ['netns', 'exec', NODE_NS, ...cmd], { timeoutMs: 10_000 });

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '--build', 'services/node-agent', 'services/pod-workload'], { cwd: root });
    await cleanupNetwork();
    await setupNetwork();
    nats = await startNatsServer({ host: HOST_IP });
    eventLog = await connectEventLog({ servers: nats.url, name: 'test', log });
    informer = await startInformer(eventLog, { log });
    await informer.synced;
    writer = createObjectWriter(eventLog, informer, { component: 'test' });
    stateDir = mkdtempSync(join(tmpdir(), 'kt-ag-state-'));
    agentLog = join(stateDir, 'node-agent.log');
    startAgent();
  }, 60_000);

  afterAll(async () => {
    agent?.kill('SIGKILL');
    await informer?.stop();
    await eventLog?.close();
    await nats?.stop();
    await removeRuntime(nodeRuntimeDir(stateDir, 'node-1'));
    await cleanupNetwork();
    for (const dir of clusterCgroupDirs(CLUSTER)) removeCgroupTree(dir);
    if (process.env.KT_AG_KEEP_LOG) process.stdout.write(readFileSync(agentLog, 'utf8'));
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('registers its Node and keeps it Ready with heartbeats', async () => {
    const key = { resource: 'nodes', namespace: '', name: 'node-1' };
    const node = await eventually(() => getObject(informer.view, key), { timeoutMs: 15_000, what: 'Node' });
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux' });
    expect(node.spec.podCIDR).toBe('10.244.1.0/24');
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: NODE_IP });
    const readyBeat = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready');
    expect(readyBeat(node)).toMatchObject({
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
    });
    const first = readyBeat(node)?.lastHeartbeatTime;
    await eventually(() => readyBeat(getObject(informer.view, key))?.lastHeartbeatTime !== first, {
      timeoutMs: 5_000,
      what: 'heartbeat',
    });
  }, 30_000);

  it('runs a pod to Running and Ready, serves it on its IP, restarts it, adopts it and deletes it', async () => {
    const spec = newPod('web', { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }] }] });
    await writer.put(podKey('web'), spec);
    const running = await eventually(() => (ready(pod('web')) ? pod('web') : undefined), {
      timeoutMs: 20_000,
      what: 'web Ready',
    });
    expect(running.status).toMatchObject({
      phase: 'Running',
      podIP: '10.244.1.2',
      hostIP: NODE_IP,
      qosClass: 'BestEffort',
    });
    expect(running.status?.containerStatuses?.[0]).toMatchObject({ ready: true, started: true, restartCount: 0 });

    const { stdout } = await inNode('curl', '-s', '--max-time', '5', 'http://10.244.1.2:8080/hello');
    const who = JSON.parse(stdout);
    expect(who).toMatchObject({
      pod: 'web',
      namespace: 'default',
      node: 'node-1',
      podIP: '10.244.1.2',
      path: '/hello',
    });
    expect(who.client).toMatch(/^10\.244\.1\.1:\d+$/);
    const resolv = await run('ip', ['netns', 'exec', netnsOf(running), 'cat', '/etc/resolv.conf']);
    expect(resolv.stdout).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );

    // kill -9 of the container: restarted at once (first restart), restartCount 1.
    const pid1 = pidOf(running);
    process.kill(pid1, 'SIGKILL');
    const restarted = await eventually(
      () => {
        const p = pod('web');
        return p?.status?.containerStatuses?.[0]?.restartCount === 1 && ready(p) ? p : undefined;
      },
      { timeoutMs: 20_000, what: 'restart' },
    );
    const pid2 = pidOf(restarted);
    expect(pid2).not.toBe(pid1);
    expect(restarted.status?.containerStatuses?.[0]?.lastState.terminated).toMatchObject({
      exitCode: 137,
      signal: 9,
      reason: 'Error',
    });

    // Each container run in its own root filesystem and PID namespace: the workload is PID 1.
    expect(readFileSync(`/proc/${pid2}/status`, 'utf8')).toMatch(/NSpid:\s+\d+\s+1\n/);

    // kill -9 of the agent: the pod process lives on and is adopted, not restarted.
    agent?.kill('SIGKILL');
    await new Promise((r) => agent?.once('exit', r));
    expect(isRunning(pid2)).toBe(true);
    const rvBefore = Number(pod('web')?.metadata.resourceVersion);
    startAgent();
    await eventually(
      () =>
        readFileSync(agentLog, 'utf8')
          .split('\n')
          .filter((l) => l.includes('pod manager started')).length === 2,
      {
        timeoutMs: 15_000,
        what: 'agent restart',
      },
    );
    const after = pod('web');
    expect(pidOf(after)).toBe(pid2);
    expect(after?.status?.containerStatuses?.[0]?.restartCount).toBe(1);
    expect(ready(after)).toBe(true);
    expect(Number(after?.metadata.resourceVersion)).toBe(rvBefore);
    expect((await inNode('curl', '-s', '--max-time', '5', 'http://10.244.1.2:8080/')).stdout).toContain('"pod":"web"');

    // Graceful delete: SIGTERM, the workload exits 0, the pod is removed and its netns is gone.
    const deleted = new Promise<Pod>((resolve) => {
      const off = informer.on('pods', {
        onDelete(p) {
          if (p.metadata.name !== 'web') return;
          off();
          resolve(p);
        },
      });
    });
    await writer.update(podKey('web'), (p) => ({
      ...p,
      metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 },
    }));
    const final = await deleted;
    // Adopted, yet its monitor (the container's parent, not the agent) recorded the real exit.
    expect(final.status?.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await listNetns()).not.toContain(netnsOf(running));
    expect(isRunning(pid2)).toBe(false);
  }, 90_000);

  it('runs a real command line, reports Failed for a failing Never pod and cleans up a force-deleted pod', async () => {
    const sleeper = newPod('sleeper', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'sh',
          image: 'busybox',
          command: ['sh', '-c'],
          args: ['echo "hello from $(HOSTNAME)"; exec sleep 3600'],
        },
      ],
    });
    const failing = newPod('failing', {
      restartPolicy: 'Never',
      containers: [{ name: 'sh', image: 'busybox', command: ['sh', '-c', 'exit 3'] }],
    });
    await writer.put(podKey('sleeper'), sleeper);
    await writer.put(podKey('failing'), failing);
    const up = await eventually(() => (ready(pod('sleeper')) ? pod('sleeper') : undefined), {
      timeoutMs: 20_000,
      what: 'sleeper Ready',
    });
    const logFile = join(stateDir, 'pods', `default_sleeper_${sleeper.metadata.uid}`, 'sh.log');
    await eventually(() => existsSync(logFile) && readFileSync(logFile, 'utf8') === 'hello from sleeper\n', {
      what: 'log line',
    });

    const failed = await eventually(() => (pod('failing')?.status?.phase === 'Failed' ? pod('failing') : undefined), {
      timeoutMs: 20_000,
      what: 'failing Failed',
    });
    expect(failed.status?.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    await eventually(async () => !(await listNetns()).includes(netnsOf(failed)), { what: 'released sandbox' });

    const pid = pidOf(up);
    await writer.remove(podKey('sleeper'), up);
    await eventually(async () => !isRunning(pid) && !(await listNetns()).includes(netnsOf(up)), {
      timeoutMs: 15_000,
      what: 'force-deleted pod cleaned up',
    });
    // Deleting a terminal pod removes it at once (its sandbox is already released).
    await writer.update(podKey('failing'), (p) => ({
      ...p,
      metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 },
    }));
    await eventually(() => pod('failing') === undefined, { what: 'failing pod removed' });
  }, 60_000);

  it('stops a container with SIGTERM on graceful delete and records its exit', async () => {
    const web = newPod('graceful', { containers: [{ name: 'web', image: 'nginx' }] });
    await writer.put(podKey('graceful'), web);
    await eventually(() => ready(pod('graceful')), { timeoutMs: 20_000, what: 'graceful Ready' });
    const deleted = new Promise<Pod>((resolve) => {
      const off = informer.on('pods', {
        onDelete(p) {
          if (p.metadata.name !== 'graceful') return;
          off();
          resolve(p);
        },
      });
    });
    await writer.update(podKey('graceful'), (p) => ({
      ...p,
      metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 },
    }));
    const final = await deleted;
    expect(final.status?.phase).toBe('Succeeded');
    expect(final.status?.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await listNetns()).not.toContain(netnsOf(web));
  }, 30_000);
  it('publishes Ready=True again when another writer set its pod Ready=False (partition heal)', async () => {
    await writer.put(podKey('healer'), newPod('healer', { containers: [{ name: 'web', image: 'nginx' }] }));
    await eventually(() => ready(pod('healer')), { timeoutMs: 20_000, what: 'healer Ready' });
    // What the node lifecycle controller writes for a silent node (MarkPodsNotReady), plus a condition it owns.
    const markedAt = Date.now();
    await writer.update(podKey('healer'), (obj) => {
      const p = obj as Pod;
      const conditions = (p.status?.conditions ?? []).map((c) =>
        c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: new Date().toISOString() } : c,
      );
      conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'Test', lastTransitionTime: null });
      return { ...p, status: { ...p.status, conditions } };
    });
    expect(ready(pod('healer'))).toBe(false);
    const healed = await eventually(() => (ready(pod('healer')) ? pod('healer') : undefined), {
      timeoutMs: 5_000,
      what: 'healer Ready again',
    });
    expect(Date.now() - markedAt).toBeLessThan(5_000);
    expect(healed?.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.status).toBe('True');
    expect(healed?.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0 });
    // Settled: no further writes once the log says what the agent says.
    const rv = healed?.metadata.resourceVersion;
    await consistently(() => expect(pod('healer')?.metadata.resourceVersion).toBe(rv), {
      forMs: 1_500,
      what: 'no write after healing',
    });
    await writer.update(podKey('healer'), (p) => ({
      ...p,
      metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 },
    }));
    await eventually(() => pod('healer') === undefined, { timeoutMs: 15_000, what: 'healer removed' });
  }, 45_000);
  it('removes the cgroups of a pod deleted while the agent was down', async () => {
    const capped = newPod('capped', {
      containers: [{ name: 'web', image: 'nginx', resources: { limits: { memory: '64Mi', cpu: '500m' } } }],
    });
    await writer.put(podKey('capped'), capped);
    const up = await eventually(() => (ready(pod('capped')) ? pod('capped') : undefined), {
      timeoutMs: 20_000,
      what: 'capped Ready',
    });
    // The agent's limiters put the run's cgroups below kemu/<cluster> (v2 unified, or v1 memory and cpu).
    const dirs = ['', 'memory', 'cpu'].map((h) =>
      join('/sys/fs/cgroup', h, 'kemu', CLUSTER, `${capped.metadata.uid}_web`),
    );
    await eventually(() => dirs.some((d) => existsSync(d)), { what: 'cgroup of capped' });
    const pid = pidOf(up);

    agent?.kill('SIGKILL');
    await new Promise((r) => agent?.once('exit', r));
    await writer.remove(podKey('capped'), up);
    startAgent();
    await eventually(async () => !isRunning(pid) && !(await listNetns()).includes(netnsOf(up)), {
      timeoutMs: 15_000,
      what: 'orphaned pod swept',
    });
    await eventually(() => dirs.every((d) => !existsSync(d)), { timeoutMs: 15_000, what: 'cgroups of capped removed' });
  }, 60_000);
});
