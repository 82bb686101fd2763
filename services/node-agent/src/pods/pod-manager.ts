/**
 * The pods bound to this node (spec.nodeName === node): one worker per pod uid, created
 * when the pod appears and fed every later version. On start, after the informer has
 * synced, pods already bound here are resumed (their processes adopted) before any new
 * work, and sandboxes left behind by pods that no longer exist are swept. Every
 * `statusResyncMs` each worker compares its pod's status in the log with its own
 * (the kubelet status manager's syncBatch), besides doing so on every pod change, and
 * cgroups of pods that are gone are removed (the kubelet's pod cgroup cleanup).
 */
import { CONFIG_MIRROR_ANNOTATION, type Ipv4Cidr, type Pod } from '@kemu/api';
import { type Informer, type PodStatusWriter, POD_NODE_NAME_INDEX, podNodeName } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import { type EnvironReader, resumePod, sandboxExisted } from './pod-adoption.js';
import { allocatePodIP } from './pod-ip-allocator.js';
import type { PodSandbox } from './pod-sandbox.js';
import { type PodWorker, type PodWorkerDeps, startPodWorker } from './pod-worker.js';

/** Options of the pod manager. */
export interface PodManagerOptions {
  node: string;
  podCidr: Ipv4Cidr;
  informer: Informer;
  /** Writes this node's pods' status and final removals (node-scoped subjects). */
  statusWriter: PodStatusWriter;
  sandbox: PodSandbox;
  workerDeps: PodWorkerDeps;
  readEnviron: EnvironReader;
  /** Removes pod sandboxes of this node whose pod is gone; called once after resume. */
  sweepOrphans?: (livePodUids: ReadonlySet<string>) => Promise<void>;
  /** Removes the cgroups of pods for which `gone(uid)` is true (see pod-cgroups.ts). */
  removeCgroups?: (gone: (uid: string) => boolean) => void;
  /** Removes the ConfigMap/Secret volume files of pods for which `gone(uid)` is true. */
  removeVolumes?: (gone: (uid: string) => boolean) => void;
  /** How often every pod's status in the log is checked against its worker (kubelet: 10 s). */
  statusResyncMs?: number;
  log: Logger;
}

/** The node's pod workers. */
export interface PodManager {
  start(): Promise<void>;
  /** Stops every worker, leaving pod processes running. */
  stop(): void;
  workers(): ReadonlyMap<string, PodWorker>;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Creates the pod manager. */
export function createPodManager(o: PodManagerOptions): PodManager {
  const { node, informer, log } = o;
  const workers = new Map<string, PodWorker>();
  /** The live pods of the start-up sweep while it runs; pods started meanwhile join it. */
  let sweepLive: Set<string> | undefined;
  const starting = new Map<string, Pod>();
  let lastIP: string | undefined;
  let unsubscribe: (() => void) | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const pods = informer.lister('pods');
  informer.addIndex('pods', POD_NODE_NAME_INDEX, podNodeName);
  const boundHere = () => pods.byIndex(POD_NODE_NAME_INDEX, node);

  /** Pods this agent runs: bound here and not mirror pods (those are run by their own component, e.g. kube-proxy). */
  function runsHere(pod: Pod): boolean {
    return pod.spec?.nodeName === node && !pod.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION];
  }

  function ipsInUse(): Set<string> {
    const used = new Set<string>();
    for (const p of boundHere()) {
      if (p.status?.podIP && !isTerminal(p) && !workers.has(p.metadata.uid ?? '')) {
        used.add(p.status.podIP);
      }
    }
    for (const w of workers.values()) if (w.holdsIP()) used.add(w.podIP);
    return used;
  }

  async function finishTerminalPod(pod: Pod): Promise<void> {
    const key = { resource: 'pods' as const, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name };
    try {
      await o.sandbox.delete(pod.metadata.uid ?? '');
      const uid = pod.metadata.uid;
      await o.statusWriter.removePod(key, (p) => (p.metadata.uid === uid ? (p.status ?? {}) : undefined));
      log.info({ pod: `${key.namespace}/${key.name}` }, 'terminal pod removed');
    } catch (err) {
      log.warn({ err, pod: `${key.namespace}/${key.name}` }, 'removing terminal pod failed');
    }
  }

  async function syncPod(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const existing = workers.get(uid);
    if (existing) {
      existing.update(pod);
      return;
    }
    if (starting.has(uid)) {
      starting.set(uid, pod);
      return;
    }
    if (isTerminal(pod)) {
      if (pod.metadata.deletionTimestamp) await finishTerminalPod(pod);
      return;
    }
    starting.set(uid, pod);
    try {
      const containers = await resumePod(pod, o.readEnviron);
      const podIP = pod.status?.podIP ?? allocatePodIP(o.podCidr, ipsInUse(), lastIP);
      if (!podIP) {
        log.error({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'pod CIDR exhausted');
        return;
      }
      lastIP = podIP;
      if (stopped) return;
      const latest = starting.get(uid) ?? pod;
      const worker = startPodWorker(latest, podIP, containers, o.workerDeps, { sandboxExists: sandboxExisted(pod) });
      workers.set(uid, worker);
      // A pod that arrives while the start-up sweep runs is live too (its sandbox is made next).
      sweepLive?.add(uid);
      void worker.done.then(() => {
        if (workers.get(uid) === worker) workers.delete(uid);
        removeCgroupsOf(uid);
      });
    } finally {
      starting.delete(uid);
    }
  }

  function removeCgroupsOf(uid: string): void {
    try {
      o.removeCgroups?.((u) => u === uid);
    } catch (err) {
      log.warn({ err, uid }, 'removing pod cgroups failed');
    }
    try {
      o.removeVolumes?.((u) => u === uid);
    } catch (err) {
      log.warn({ err, uid }, 'removing pod volumes failed');
    }
  }

  function onPodAddOrUpdate(pod: Pod): void {
    if (stopped || !runsHere(pod)) return;
    onPod(pod);
  }

  function onPodDelete(pod: Pod): void {
    if (stopped) return;
    const uid = pod.metadata.uid ?? '';
    const w = workers.get(uid);
    if (w) w.forceDeleted();
    else if (runsHere(pod)) {
      void o.sandbox.delete(uid).catch(() => undefined);
      removeCgroupsOf(uid);
    }
  }

  function onPod(pod: Pod): void {
    void syncPod(pod).catch((err) =>
      log.error({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'pod sync failed'),
    );
  }

  /**
   * Hands every worker its pod as the log has it now, so a drifted status is published
   * again, and removes cgroups of pods the log no longer has (a killed process may have
   * kept one busy when its pod went).
   */
  function resync(): void {
    if (stopped) return;
    const live = new Set<string>();
    for (const p of pods.list()) {
      live.add(p.metadata.uid ?? '');
      const w = workers.get(p.metadata.uid ?? '');
      if (w && runsHere(p)) w.update(p);
    }
    try {
      o.removeCgroups?.((uid) => !live.has(uid));
    } catch (err) {
      log.warn({ err }, 'removing cgroups of gone pods failed');
    }
  }

  return {
    async start() {
      await informer.synced;
      const mine = boundHere().filter(runsHere);
      // Pods that already have an IP go first, so new pods cannot be handed one of theirs.
      mine.sort((a, b) => Number(!a.status?.podIP) - Number(!b.status?.podIP));
      for (const pod of mine) await syncPod(pod).catch((err) => log.error({ err }, 'pod resume failed'));
      unsubscribe = informer.on('pods', {
        onAdd: onPodAddOrUpdate,
        onUpdate: (_, pod) => onPodAddOrUpdate(pod),
        onDelete: onPodDelete,
      });
      // Catch up on what changed while the resumed pods were being set up.
      const now = new Map(pods.list().map((p) => [p.metadata.uid ?? '', p]));
      for (const [uid, w] of workers) {
        const p = now.get(uid);
        if (p) w.update(p);
        else w.forceDeleted();
      }
      for (const p of now.values()) if (runsHere(p) && !workers.has(p.metadata.uid ?? '')) onPod(p);
      if (o.sweepOrphans) {
        const live = new Set([...now.values()].filter((p) => !isTerminal(p)).map((p) => p.metadata.uid ?? ''));
        for (const uid of workers.keys()) live.add(uid);
        sweepLive = live;
        await o.sweepOrphans(live).catch((err) => log.warn({ err }, 'orphan sweep failed'));
        sweepLive = undefined;
      }
      try {
        o.removeCgroups?.((uid) => !now.has(uid));
      } catch (err) {
        log.warn({ err }, 'removing cgroups of gone pods failed');
      }
      resyncTimer = setInterval(resync, o.statusResyncMs ?? 10_000);
      resyncTimer.unref();
      log.info({ pods: workers.size }, 'pod manager started');
    },
    stop() {
      stopped = true;
      unsubscribe?.();
      if (resyncTimer) clearInterval(resyncTimer);
      for (const w of workers.values()) w.stop();
      workers.clear();
    },
    workers: () => workers,
  };
}
