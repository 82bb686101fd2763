/**
 * A real 3-server (or n-server) JetStream cluster for tests: each nats-server on free
 * client, cluster and monitoring ports of 127.0.0.1 with its own store directory and
 * routes to all the others, waited for until every server's /healthz says JetStream is
 * ready (in a cluster that needs an elected meta leader). Servers can be killed with
 * SIGKILL (a process crash) and started again on the same ports and store.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nats-server.js';

/** One server of a test cluster. */
export interface ClusterMember {
  /** server_name, `n1`…`nN`. */
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly storeDir: string;
  readonly process: ChildProcess;
  /** True while the process runs. */
  readonly running: boolean;
}

/** A running test cluster. */
export interface NatsCluster extends AsyncDisposable {
  readonly name: string;
  readonly members: readonly ClusterMember[];
  /** Client URLs of every member, for `servers`. */
  readonly urls: string[];
  member(name: string): ClusterMember;
  /** SIGKILLs the member's process (a crash) and waits until it is gone. */
  kill(name: string): Promise<void>;
  /** Starts a killed member again on its ports and store, and waits until it is healthy. */
  start(name: string): Promise<void>;
  stop(): Promise<void>;
}

interface Slot {
  name: string;
  port: number;
  clusterPort: number;
  monitorPort: number;
  storeDir: string;
  child: ChildProcess;
}

async function healthy(monitorPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${monitorPort}/healthz`, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function waitHealthy(slot: Slot, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (slot.child.exitCode !== null || slot.child.signalCode !== null)
      throw new Error(`nats-server ${slot.name} exited (${slot.child.exitCode ?? slot.child.signalCode})`);
    if (await healthy(slot.monitorPort)) return;
    if (Date.now() > deadline) throw new Error(`nats-server ${slot.name} not healthy after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `n` (default 3) clustered JetStream servers from PATH and waits until all are healthy. */
export async function startNatsCluster(n = 3): Promise<NatsCluster> {
  const clusterName = `kt-${Math.random().toString(36).slice(2, 8)}`;
  const slots: Slot[] = [];
  for (let i = 1; i <= n; i++) {
    slots.push({
      name: `n${i}`,
      port: await freePort(),
      clusterPort: await freePort(),
      monitorPort: await freePort(),
      storeDir: await mkdtemp(join(tmpdir(), `kemu-nats-${clusterName}-n${i}-`)),
      child: undefined as unknown as ChildProcess,
    });
  }
  const routes = slots.map((s) => `nats://127.0.0.1:${s.clusterPort}`).join(',');

  function launch(slot: Slot): void {
    const args = [
      '-js',
      '-a',
      '127.0.0.1',
      '-p',
      String(slot.port),
      '-m',
      String(slot.monitorPort),
      '-sd',
      slot.storeDir,
      '--server_name',
      slot.name,
      '--cluster_name',
      clusterName,
      '--cluster',
      `nats://127.0.0.1:${slot.clusterPort}`,
      '--routes',
      routes,
    ];
    const c = spawn('nats-server', args, { stdio: 'ignore' });
    c.on('error', () => undefined);
    slot.child = c;
  }

  async function kill(slot: Slot, signal: NodeJS.Signals): Promise<void> {
    const c = slot.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }

  const find = (name: string): Slot => {
    const s = slots.find((x) => x.name === name);
    if (!s) throw new Error(`no cluster member ${name}`);
    return s;
  };
  const memberOf = (s: Slot): ClusterMember => ({
    name: s.name,
    url: `nats://127.0.0.1:${s.port}`,
    port: s.port,
    monitorPort: s.monitorPort,
    storeDir: s.storeDir,
    get process() {
      return s.child;
    },
    get running() {
      return s.child.exitCode === null && s.child.signalCode === null;
    },
  });

  for (const s of slots) launch(s);
  try {
    await Promise.all(slots.map((s) => waitHealthy(s, 30_000)));
  } catch (err) {
    await Promise.all(slots.map((s) => kill(s, 'SIGKILL')));
    await Promise.all(slots.map((s) => rm(s.storeDir, { recursive: true, force: true })));
    throw err;
  }

  const cluster: NatsCluster = {
    name: clusterName,
    members: slots.map(memberOf),
    urls: slots.map((s) => `nats://127.0.0.1:${s.port}`),
    member: (name) => memberOf(find(name)),
    kill: (name) => kill(find(name), 'SIGKILL'),
    async start(name) {
      const s = find(name);
      if (s.child.exitCode === null && s.child.signalCode === null) return;
      launch(s);
      await waitHealthy(s, 30_000);
    },
    async stop() {
      await Promise.all(slots.map((s) => kill(s, 'SIGTERM')));
      await Promise.all(slots.map((s) => rm(s.storeDir, { recursive: true, force: true })));
    },
    async [Symbol.asyncDispose]() {
      await cluster.stop();
    },
  };
  return cluster;
}
