/**
 * Injects one fault with real means and tells how it ends: pod-kill is an apiserver
 * delete; container-kill, component-kill and node-kill are SIGKILLs to the real
 * processes (the node-agent restarts containers, the supervisor restarts components);
 * partition sets the node's underlay veth down; pause is SIGSTOP then SIGCONT; loss and
 * latency are a netem qdisc on the node's eth0; node-kill of a hollow node is its stop file. Faults that need undoing are journaled
 * first.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hollowStopFile } from '@kemu/kubelet';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { NodeLayout } from '@kemu/netns';
import { type ChaosCluster, type ChaosPod, containerPid, isPodReady } from './chaos-cluster.js';
import type { FaultLogMarks } from './fault-sequences.js';
import { FaultFailedError, FaultUnsupportedError, NoTargetError } from './errors.js';
import type { ComponentName, Experiment, FaultAction } from './experiment.js';
import { selectTargets } from './select-targets.js';
import { performUndo, processStartTime, type UndoJournal, type UndoStep } from './undo-journal.js';

const run = promisify(execFile);

/** What the report keeps of one fault. */
export interface FaultRecord {
  id: string;
  action: FaultAction;
  target: string;
  node?: string;
  /** For pod faults: the pod and its endpoint address. */
  pod?: { namespace: string; name: string; uid: string; ip: string | undefined };
  startMs: number;
  /** When the fault ended: undone, the component restarted, or (for a kill) the kill itself. */
  endMs?: number;
  /** What undoing it did. */
  undone?: string;
  /** The stream's sequences around the fault (set by the runner). */
  log?: FaultLogMarks;
}

/** A fault in progress. */
export interface ActiveFault {
  record: FaultRecord;
  /** Ends the fault (undo, or wait for the restart); idempotent. */
  end(): Promise<void>;
}

/** What a fault needs besides the experiment. */
export interface InjectContext {
  cluster: ChaosCluster;
  journal: UndoJournal;
  /** How loss/latency are injected (from checkInjectable); netem when unset. */
  networkMeans?: NetworkMeans | undefined;
  now?: () => number;
}

/** One component instance: `proxy` on `node-2` is `proxy-node-2` in pids.json. */
export interface ComponentTarget {
  component: ComponentName;
  node: string | undefined;
  key: string;
}

/** Every (component, node) instance that pids.json lists for the selected components and nodes. */
export function componentTargets(
  pids: Record<string, number>,
  components: readonly ComponentName[],
  nodes: readonly string[],
): ComponentTarget[] {
  const out: ComponentTarget[] = [];
  for (const component of components) {
    if (component === 'apiserver' || component === 'controller') {
      if (pids[component]) out.push({ component, node: undefined, key: component });
      continue;
    }
    for (const key of Object.keys(pids).sort()) {
      const m = key.match(new RegExp(`^${component}-(node-\\d+)$`));
      if (m && (nodes.length === 0 || nodes.includes(m[1] as string))) {
        out.push({ component, node: m[1], key });
      }
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** How loss and latency are injected on this machine. */
export type NetworkMeans = 'netem' | 'iptables-statistic';

async function canRun(netns: string, ...argvs: string[][]): Promise<string | undefined> {
  try {
    for (const argv of argvs) await run('ip', ['netns', 'exec', netns, ...argv]);
    return undefined;
  } catch (err) {
    return `${(err as { stderr?: string }).stderr ?? (err as Error).message}`.trim().split('\n')[0];
  }
}

/**
 * Fails fast when this machine cannot inject the experiment's faults. Loss and latency
 * prefer tc netem; without sch_netem, loss falls back to iptables' `statistic` match
 * (random drop), and latency has no real means left, so it is refused.
 */
export async function checkInjectable(e: Experiment, cluster: ChaosCluster): Promise<NetworkMeans | undefined> {
  if (process.getuid?.() !== 0) throw new FaultUnsupportedError(e.action, 'chaos needs root (signals, netns)');
  if (e.action !== 'loss' && e.action !== 'latency') return undefined;
  const ns = (cluster.layout.nodes[0] as NodeLayout).netns;
  const netem = await canRun(ns, ['tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'delay', '1ms']);
  if (netem === undefined) {
    await canRun(ns, ['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
    return 'netem';
  }
  if (e.action === 'latency') {
    throw new FaultUnsupportedError(
      'latency',
      `tc netem is not available (${netem}): the kernel lacks sch_netem, and no other real means of adding delay is implemented`,
    );
  }
  // A scratch chain: checking the match must not touch traffic.
  const chain = 'KEMU-CHAOS-CHECK';
  const statistic = await canRun(
    ns,
    ['iptables', '-N', chain],
    ['iptables', '-A', chain, '-m', 'statistic', '--mode', 'random', '--probability', '0.5', '-j', 'RETURN'],
  );
  await canRun(ns, ['iptables', '-F', chain]);
  await canRun(ns, ['iptables', '-X', chain]);
  if (statistic !== undefined) {
    throw new FaultUnsupportedError(
      'loss',
      `neither tc netem (${netem}) nor iptables' statistic match (${statistic}) is available`,
    );
  }
  return 'iptables-statistic';
}

/** Picks the targets of one tick and injects the fault into each. */
export async function injectFaults(e: Experiment, c: InjectContext): Promise<ActiveFault[]> {
  const { cluster } = c;
  const nodes = cluster.layout.nodes.filter((n) => e.selector.nodes.length === 0 || e.selector.nodes.includes(n.name));
  switch (e.action) {
    case 'pod-kill':
    case 'container-kill': {
      const pods = (await cluster.listPods(e.selector.namespace, e.selector.labelSelectors)).filter(
        (p) => isPodReady(p) && (e.selector.nodes.length === 0 || e.selector.nodes.includes(p.spec.nodeName ?? '')),
      );
      const picked = selectTargets(pods, e.mode, e.value);
      if (picked.length === 0) throw new NoTargetError(`Ready pods in ${e.selector.namespace} with ${labelText(e)}`);
      return Promise.all(picked.map((p) => (e.action === 'pod-kill' ? killPod(e, p, c) : killContainer(p, c))));
    }
    case 'component-kill':
    case 'pause': {
      const targets = selectTargets(
        componentTargets(await cluster.pids(), e.selector.components, e.selector.nodes),
        e.mode,
        e.value,
      );
      if (targets.length === 0) throw new NoTargetError(`components ${e.selector.components.join(',')}`);
      return Promise.all(
        targets.map((t) => (e.action === 'pause' ? pauseComponent(t, e.faultDurationMs, c) : killComponent(t, c))),
      );
    }
    case 'node-kill':
    case 'partition':
    case 'loss':
    case 'latency': {
      // Hollow nodes have no processes or links: only node-kill reaches them (their stop file).
      const hollow =
        e.action === 'node-kill'
          ? (cluster.hollowNodes ?? []).filter((n) => e.selector.nodes.length === 0 || e.selector.nodes.includes(n))
          : [];
      const picked = selectTargets<NodeLayout | string>([...nodes, ...hollow], e.mode, e.value);
      if (picked.length === 0) throw new NoTargetError(`nodes ${e.selector.nodes.join(',') || '(all)'}`);
      return Promise.all(picked.map((n) => (typeof n === 'string' ? stopHollowNode(n, c) : injectNodeFault(e, n, c))));
    }
  }
}

function labelText(e: Experiment): string {
  return Object.entries(e.selector.labelSelectors)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function podRecord(action: FaultAction, p: ChaosPod, now: number): FaultRecord {
  const ns = p.metadata.namespace ?? 'default';
  return {
    id: randomUUID(),
    action,
    target: `pod ${ns}/${p.metadata.name}`,
    ...(p.spec.nodeName ? { node: p.spec.nodeName } : {}),
    pod: { namespace: ns, name: p.metadata.name, uid: p.metadata.uid, ip: p.status?.podIP },
    startMs: now,
    endMs: now,
  };
}

async function killPod(e: Experiment, p: ChaosPod, c: InjectContext): Promise<ActiveFault> {
  const now = c.now ?? Date.now;
  const record = podRecord('pod-kill', p, now());
  const ns = encodeURIComponent(record.pod?.namespace ?? 'default');
  const grace = e.gracePeriodSeconds === undefined ? '' : `?gracePeriodSeconds=${e.gracePeriodSeconds}`;
  await c.cluster.api('DELETE', `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(p.metadata.name)}${grace}`);
  record.endMs = now();
  return { record, end: async () => undefined };
}

async function killContainer(p: ChaosPod, c: InjectContext): Promise<ActiveFault> {
  const record = podRecord('container-kill', p, (c.now ?? Date.now)());
  const pid = containerPid(p);
  if (!pid || !signal(pid, 'SIGKILL')) throw new FaultFailedError(`${record.target}: no running container process`);
  record.target += ` (pid ${pid})`;
  return { record, end: async () => undefined };
}

/** Waits until pids.json shows a new pid for the component (the supervisor restarted it); the end of the fault. */
async function waitRestarted(c: InjectContext, key: string, oldPid: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pid = (await c.cluster.pids())[key];
    if (pid && pid !== oldPid) return Date.now();
    await sleep(50);
  }
  throw new FaultFailedError(`${key} was not restarted by the supervisor within ${timeoutMs / 1000} s`);
}

async function killComponent(t: ComponentTarget, c: InjectContext): Promise<ActiveFault> {
  const pid = (await c.cluster.pids())[t.key];
  if (!pid || !signal(pid, 'SIGKILL')) throw new FaultFailedError(`${t.key}: not running`);
  const record: FaultRecord = {
    id: randomUUID(),
    action: 'component-kill',
    target: `${t.key} (pid ${pid})`,
    ...(t.node ? { node: t.node } : {}),
    startMs: (c.now ?? Date.now)(),
  };
  const restarted = waitRestarted(c, t.key, pid).then((at) => {
    record.endMs = at;
    record.undone = `restarted by the supervisor after ${at - record.startMs} ms`;
  });
  restarted.catch(() => undefined);
  return { record, end: () => restarted };
}

/** Journals an undo step, runs `inject`, and returns a fault whose end performs the undo once. */
async function undoable(
  c: InjectContext,
  record: FaultRecord,
  step: UndoStep,
  inject: () => Promise<void>,
): Promise<ActiveFault> {
  await c.journal.add({ id: record.id, target: record.target, step, since: new Date(record.startMs).toISOString() });
  try {
    await inject();
  } catch (err) {
    await performUndo(step).catch(() => undefined);
    await c.journal.remove(record.id);
    throw new FaultFailedError(`${record.action} of ${record.target} failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let ending: Promise<void> | undefined;
  return {
    record,
    end() {
      ending ??= (async () => {
        record.undone = await performUndo(step);
        record.endMs = (c.now ?? Date.now)();
        await c.journal.remove(record.id);
      })();
      return ending;
    },
  };
}

async function pauseComponent(t: ComponentTarget, _ms: number, c: InjectContext): Promise<ActiveFault> {
  const pid = (await c.cluster.pids())[t.key];
  const startTime = pid ? await processStartTime(pid) : undefined;
  if (!pid || !startTime) throw new FaultFailedError(`${t.key}: not running`);
  const record: FaultRecord = {
    id: randomUUID(),
    action: 'pause',
    target: `${t.key} (pid ${pid})`,
    ...(t.node ? { node: t.node } : {}),
    startMs: (c.now ?? Date.now)(),
  };
  return undoable(c, record, { kind: 'sigcont', pid, startTime }, async () => {
    process.kill(pid, 'SIGSTOP');
  });
}

/**
 * node-kill of a hollow node: its stop file makes the hollow node-agent stop its
 * heartbeat, lease and pod status, as a dead node; the node lifecycle controller turns it
 * NotReady and evicts its pods. Removing the file (the undo) brings it back.
 */
async function stopHollowNode(node: string, c: InjectContext): Promise<ActiveFault> {
  const path = hollowStopFile(c.cluster.stateDir, node);
  const record: FaultRecord = {
    id: randomUUID(),
    action: 'node-kill',
    target: `${node} (hollow: heartbeat and lease stopped)`,
    node,
    startMs: (c.now ?? Date.now)(),
  };
  return undoable(c, record, { kind: 'file-del', path }, async () => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${new Date(record.startMs).toISOString()}\n`);
  });
}

async function injectNodeFault(e: Experiment, n: NodeLayout, c: InjectContext): Promise<ActiveFault> {
  const { cluster } = c;
  const record: FaultRecord = {
    id: randomUUID(),
    action: e.action,
    target: n.name,
    node: n.name,
    startMs: (c.now ?? Date.now)(),
  };
  if (e.action === 'partition') {
    const step: UndoStep = { kind: 'link-up', netns: cluster.layout.underlayNetns, link: n.underlayVeth };
    record.target = `${n.name} (${n.underlayVeth} down in ${step.netns})`;
    return undoable(c, record, step, async () => {
      await run('ip', ['-n', step.netns, 'link', 'set', 'dev', step.link, 'down']);
    });
  }
  if ((e.action === 'loss' || e.action === 'latency') && c.networkMeans === 'iptables-statistic') {
    // Every packet crossing the node's eth0 meets exactly one rule: in (INPUT/FORWARD -i) or out (OUTPUT/FORWARD -o).
    const match = ['-m', 'statistic', '--mode', 'random', '--probability', String(e.lossPercent / 100)];
    const tag = ['-m', 'comment', '--comment', `kemu-chaos-${record.id.slice(0, 8)}`];
    const rules = [
      ['INPUT', '-i', 'eth0'],
      ['FORWARD', '-i', 'eth0'],
      ['OUTPUT', '-o', 'eth0'],
      ['FORWARD', '-o', 'eth0'],
    ].map((r) => [...r, ...tag, ...match, '-j', 'DROP']);
    const step: UndoStep = { kind: 'iptables-del', netns: n.netns, rules };
    record.target = `${n.name} eth0 loss ${e.lossPercent}% (iptables statistic, in and out)`;
    return undoable(c, record, step, async () => {
      for (const rule of rules) await run('ip', ['netns', 'exec', n.netns, 'iptables', '-I', ...rule]);
    });
  }
  if (e.action === 'loss' || e.action === 'latency') {
    const step: UndoStep = { kind: 'qdisc-del', netns: n.netns, dev: 'eth0' };
    const netem = e.action === 'loss' ? ['loss', `${e.lossPercent}%`] : ['delay', `${e.latencyMs}ms`];
    record.target = `${n.name} eth0 netem ${netem.join(' ')}`;
    return undoable(c, record, step, async () => {
      await run('ip', ['netns', 'exec', n.netns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', ...netem]);
    });
  }
  // node-kill: every process of the node at once, as a crash; the supervisor and node-agent bring them back.
  const pids = await cluster.pids();
  const keys = Object.keys(pids).filter((k) => k.endsWith(`-${n.name}`));
  const pods = (await cluster.api<{ items: ChaosPod[] }>('GET', '/api/v1/pods')).items.filter(
    (p) => p.spec.nodeName === n.name && !p.metadata.namespace?.startsWith('kube-'),
  );
  const agent = pids[`node-agent-${n.name}`] ?? 0;
  for (const k of keys) signal(pids[k] as number, 'SIGKILL');
  let killedPods = 0;
  for (const p of pods) {
    const pid = containerPid(p);
    if (pid && signal(pid, 'SIGKILL')) killedPods++;
  }
  record.target = `${n.name} (${keys.join(', ')} and ${killedPods} pod processes)`;
  const restarted = waitRestarted(c, `node-agent-${n.name}`, agent).then((at) => {
    record.endMs = at;
    record.undone = `node processes restarted by the supervisor after ${at - record.startMs} ms`;
  });
  restarted.catch(() => undefined);
  return { record, end: () => restarted };
}
