/**
 * One pod on this node: a lifecycle actor whose side effects (sandbox, processes,
 * readiness) are provided here, and a publisher that turns every snapshot change into
 * a status write. Writes are coalesced (one in flight, the latest status wins),
 * skipped when the stored status is already equal, and CAS-retried by the writer.
 * When the machine ends (deletion done) the pod is removed with its final status.
 * Like the kubelet's status manager, every version of the pod seen in the log is checked
 * against the machine: when another writer changed what the node-agent owns (the node
 * lifecycle controller marks pods Ready=False while the node is silent), the status is
 * published again, at most once a second so a controller that turns it back is no busy loop.
 * Stopping the worker (agent shutdown) stops watching but leaves processes running.
 */
import type { Pod, TypedKey } from '@kemu/api';
import { getObject, type PodStatusWriter, type View } from '@kemu/eventlog';
import type { EventRecorder } from '@kemu/event-recorder';
import {
  type BackoffPolicy,
  type ContainerInput,
  containerMachine,
  podMachine,
  MIN_GRACE_MS,
  parseQuantity,
  podRuntimeFromSnapshot,
  podStatusFromSnapshot,
} from '@kemu/lifecycle';
import type { Logger } from '@kemu/log';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { createActor, fromPromise } from 'xstate';
import { containerActors } from '../runtime/container-actors.js';
import type { ContainerLaunch } from '../runtime/container-launch.js';
import type { NodeContainers } from '../runtime/node-containers.js';
import { createCpuLimiter, parseMillicores } from '../runtime/cpu-limit.js';
import { hookOf } from '../runtime/lifecycle-hooks.js';
import { createMemoryLimiter } from '../runtime/memory-limit.js';
import { createPodEvents } from './pod-events.js';
import { podStatusDrift } from './pod-status-drift.js';
import type { PodSandbox } from './pod-sandbox.js';
import type { ServiceAccountVolumes } from '../volumes/service-account-volume.js';

/** What every worker of this node shares. */
export interface PodWorkerDeps {
  node: string;
  hostIP: string;
  /** Writes the pod's status and its final removal (node-scoped subjects). */
  statusWriter: PodStatusWriter;
  view: View;
  sandbox: PodSandbox;
  /** Computes the container to create (service env comes from the view at start time). */
  launch(pod: Pod, containerName: string, podIP: string): ContainerLaunch;
  /** The node's container runtime. */
  containers: NodeContainers;
  /** `$KEMU_STATE_DIR/pods/<ns>_<name>_<uid>/<container>.log`. */
  logPath(pod: Pod, containerName: string): string;
  log: Logger;
  backoff?: BackoffPolicy;
  /** Records the kubelet's Events (Pulled, Created, Started, Killing, BackOff, Unhealthy). */
  events?: EventRecorder;
  /** The projected ServiceAccount volume (token, ca.crt, namespace) of each pod. */
  volumes?: ServiceAccountVolumes;
  /** Parent path of the pods' cgroups below each hierarchy (see pod-cgroups.ts); default `kemu`. */
  cgroupScope?: string;
}

/** A running pod worker. */
export interface PodWorker {
  readonly uid: string;
  readonly podIP: string;
  /** False once the pod's sandbox is released (terminal pod) or gone. */
  holdsIP(): boolean;
  /** A newer version of the pod arrived in the view (or the periodic resync): re-publishes a drifted status. */
  update(pod: Pod): void;
  /** The pod vanished from the view (force delete): kill and clean up, write nothing. */
  forceDeleted(): void;
  /** Stops watching without touching processes (agent shutdown). */
  stop(): void;
  /** Resolves when the pod is finished and removed. */
  readonly done: Promise<void>;
}

const now = () => new Date().toISOString();

/** Least time between two re-publications of a drifted status of one pod. */
const REPAIR_INTERVAL_MS = 1_000;

let memoryLimiter: ReturnType<typeof createMemoryLimiter> | undefined;

/** The node's memory limiter, made on first use (it probes the cgroup file system once). */
function nodeMemoryLimiter(log: Logger, scope?: string): ReturnType<typeof createMemoryLimiter> {
  if (!memoryLimiter) {
    memoryLimiter = createMemoryLimiter(scope ? { scope } : {});
    log.info({ mechanism: memoryLimiter.mechanism }, 'memory limits enforced');
  }
  return memoryLimiter;
}

let cpuLimiter: ReturnType<typeof createCpuLimiter> | undefined;

/** The node's CPU limiter, made on first use (it probes the cgroup file system once). */
function nodeCpuLimiter(log: Logger, scope?: string): ReturnType<typeof createCpuLimiter> {
  if (!cpuLimiter) {
    cpuLimiter = createCpuLimiter(scope ? { scope } : {});
    log.info({ mechanism: cpuLimiter.mechanism }, 'cpu limits enforced');
  }
  return cpuLimiter;
}

/** Which lifecycle hooks the machine of container `name` must run. */
function hookFlags(pod: Pod, name: string): { preStop?: boolean; postStart?: boolean } {
  const spec = pod.spec.containers.find((s) => s.name === name);
  if (!spec) return {};
  return {
    ...(hookOf(spec, 'PreStop') ? { preStop: true } : {}),
    ...(hookOf(spec, 'PostStart') ? { postStart: true } : {}),
  };
}

/** Starts the worker of one pod. */
export function startPodWorker(
  pod: Pod,
  podIP: string,
  containers: ContainerInput[],
  deps: PodWorkerDeps,
  resume: { sandboxExists: boolean } = { sandboxExists: false },
): PodWorker {
  const uid = pod.metadata.uid ?? '';
  const namespace = pod.metadata.namespace ?? 'default';
  const key: TypedKey<'pods'> = { resource: 'pods', namespace, name: pod.metadata.name };
  const log = deps.log.child({ pod: `${namespace}/${pod.metadata.name}` });
  let current = pod;
  let gone = false;
  let deleteRequested = false;
  let stopped = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  const events = deps.events ? createPodEvents(deps.events, () => current) : undefined;
  const { runContainer, readiness, liveness, preStop, postStart } = containerActors({
    pod: () => current,
    podIP,
    podNetns: deps.sandbox.netnsName(uid),
    launch: deps.launch,
    logPath: deps.logPath,
    containers: deps.containers,
    log,
    probeFailed: (container, message) => events?.readinessProbeFailed(container, message),
    healthProbeFailed: (container, kind, message) => events?.healthProbeFailed(container, kind, message),
    hookFailed: (container, kind) => events?.hookFailed(container, kind),
    limitMemory: (p, name, pid) => {
      const raw = p.spec.containers.find((c) => c.name === name)?.resources?.limits?.memory;
      const bytes = raw === undefined ? Number.NaN : parseQuantity(raw);
      if (!(bytes > 0)) return undefined;
      return nodeMemoryLimiter(deps.log, deps.cgroupScope).limit(`${uid}_${name}`, pid, bytes);
    },
    limitCpu: (p, name, pid) => {
      const raw = p.spec.containers.find((c) => c.name === name)?.resources?.limits?.cpu;
      const millicores = raw === undefined ? Number.NaN : parseMillicores(raw);
      if (!(millicores > 0)) return undefined;
      return nodeCpuLimiter(deps.log, deps.cgroupScope).limit(`${uid}_${name}`, pid, millicores);
    },
  });

  const machine = podMachine.provide({
    actors: {
      createSandbox: fromPromise(async ({ input }: { input: { podIP: string } }) => {
        try {
          await deps.sandbox.create(current, input.podIP);
          log.info({ podIP: input.podIP }, 'sandbox created');
          // As kubelet's FailedMount, but not fatal here: the volume is retried in the background.
          await deps.volumes
            ?.setUp(current)
            .catch((err: unknown) => log.warn({ err }, 'serviceaccount volume not ready, retrying'));
        } catch (err) {
          log.warn({ err }, 'sandbox creation failed');
          throw err;
        }
      }),
      deleteSandbox: fromPromise(async () => {
        await deps.sandbox.delete(uid);
        await deps.volumes?.tearDown(current);
        log.info({}, 'sandbox deleted');
      }),
      container: containerMachine.provide({ actors: { runContainer, readiness, liveness, preStop, postStart } }),
    },
  });

  // An adopted pod (node-agent restarted) keeps its sandbox; its token must still be refreshed.
  if (resume.sandboxExists)
    void deps.volumes
      ?.setUp(current)
      .catch((err: unknown) => log.warn({ err }, 'serviceaccount volume not ready, retrying'));

  let dirty = false;
  let flushing = false;
  const actor = createActor(machine, {
    input: {
      containers: containers.map((c) => ({
        ...c,
        ...(deps.backoff ? { backoff: deps.backoff } : {}),
        graceMs: Math.max(MIN_GRACE_MS, (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000),
        startupProbe: pod.spec.containers.some((s) => s.name === c.name && s.startupProbe !== undefined),
        ...hookFlags(pod, c.name),
      })),
      podIP,
      hostIP: deps.hostIP,
      startTime: pod.status?.startTime ?? now(),
      sandboxExists: resume.sandboxExists,
    },
    inspect: (ev) => {
      if (ev.type !== '@xstate.snapshot') return;
      schedule();
      observeEvents();
    },
  });

  function observeEvents(): void {
    if (!events || stopped) return;
    try {
      events.observe(podRuntimeFromSnapshot(actor.getSnapshot()));
    } catch (err) {
      log.debug({ err }, 'pod events skipped a snapshot');
    }
  }

  function schedule(): void {
    if (stopped) return;
    dirty = true;
    if (flushing) return;
    flushing = true;
    setImmediate(() => void flush());
  }

  async function flush(): Promise<void> {
    while (dirty && !stopped) {
      dirty = false;
      try {
        if (actor.getSnapshot().status === 'done') {
          await removePod();
          stopped = true;
          resolveDone();
        } else if (!gone) {
          await writeStatus();
        }
      } catch (err) {
        log.warn({ err }, 'pod status write failed, retrying');
        dirty = true;
        await sleep(1_000);
      }
    }
    flushing = false;
    if (recheck) {
      recheck = false;
      const latest = getObject(deps.view, key);
      if (latest?.metadata.uid === uid) checkDrift(latest);
    }
  }

  let lastRepairAt = 0;
  let repairTimer: NodeJS.Timeout | undefined;
  /** A pod version arrived while a write was under way: look at it once the write is done. */
  let recheck = false;

  /** Schedules a write when the log's status of `p` differs from the machine's on what the node-agent owns. */
  function checkDrift(p: Pod): void {
    if (stopped || gone || repairTimer || actor.getSnapshot().status !== 'active') return;
    if (flushing) {
      recheck = true;
      return;
    }
    const drift = podStatusDrift(podStatusFromSnapshot(actor.getSnapshot(), p, now()), p.status);
    if (drift.length === 0) return;
    const repair = () => {
      repairTimer = undefined;
      lastRepairAt = Date.now();
      log.info({ drift }, 'pod status in the log differs from the node-agent, publishing it again');
      schedule();
    };
    const wait = lastRepairAt + REPAIR_INTERVAL_MS - Date.now();
    if (wait <= 0) repair();
    else {
      repairTimer = setTimeout(repair, wait);
      repairTimer.unref();
    }
  }

  async function writeStatus(): Promise<void> {
    await deps.statusWriter.updateStatus(key, (p) => {
      if (p.metadata.uid !== uid || p.spec.nodeName !== deps.node) return undefined;
      const status = podStatusFromSnapshot(actor.getSnapshot(), p, now());
      return isDeepStrictEqual(status, p.status) ? undefined : status;
    });
  }

  async function removePod(): Promise<void> {
    if (gone) return;
    let phase: string | undefined;
    const seq = await deps.statusWriter.removePod(key, (p) => {
      if (p.metadata.uid !== uid || p.spec.nodeName !== deps.node) return undefined;
      const status = podStatusFromSnapshot(actor.getSnapshot(), p, now());
      phase = status.phase;
      return status;
    });
    if (seq !== undefined) log.info({ phase }, 'pod removed');
  }

  function requestDelete(p: Pod, force = false): void {
    if (deleteRequested || actor.getSnapshot().status !== 'active') return;
    deleteRequested = true;
    // A pod gone from the log was force-deleted: grace 0, as the kubelet sees it (no preStop).
    const graceSeconds = force ? 0 : (p.metadata.deletionGracePeriodSeconds ?? p.spec.terminationGracePeriodSeconds);
    log.info({ graceSeconds, force: gone }, 'pod deletion requested');
    actor.send({ type: 'DELETE_REQUESTED', graceSeconds });
  }

  actor.subscribe({
    complete: () => schedule(),
    error: (err) => log.error({ err }, 'pod lifecycle failed'),
  });
  actor.start();
  log.info({ podIP, adopted: containers.filter((c) => c.adopt).length }, 'pod worker started');
  if (pod.metadata.deletionTimestamp) requestDelete(pod);

  return {
    uid,
    podIP,
    holdsIP() {
      const s = actor.getSnapshot();
      return s.status === 'active' && !s.matches({ completed: 'released' });
    },
    update(p) {
      if (p.metadata.uid !== uid) return;
      current = p;
      if (p.metadata.deletionTimestamp) requestDelete(p);
      checkDrift(p);
    },
    forceDeleted() {
      if (stopped) return;
      gone = true;
      if (actor.getSnapshot().status === 'done') return;
      requestDelete(current, true);
      if (!deleteRequested) return;
      // A force-deleted pod is finished once its machine is; nothing is written.
      actor.subscribe({
        complete: () => {
          stopped = true;
          resolveDone();
        },
      });
    },
    stop() {
      stopped = true;
      if (repairTimer) clearTimeout(repairTimer);
      actor.stop();
    },
    done,
  };
}
