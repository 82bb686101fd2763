/**
 * One hollow pod: the shared pod machine with timed actors (hollow-actors.ts) and a
 * publisher that turns its snapshots into status writes, as the node-agent's pod worker
 * does: one write in flight, the latest status wins, nothing written when the log
 * already has it. The first write also marks the pod with the hollow annotation, so it
 * is never mistaken for one with a process. When the machine ends (deletion done) the pod
 * is removed with its final status. A pod found with a published status (this process
 * restarted) resumes from it (hollow-resume.ts) instead of passing its stages again.
 * Once Running and Ready with its status published, a pod rests (hollow-rest.ts): it
 * drops its machine and keeps its runtime as plain data until a deletion resumes it.
 */
import { HOLLOW_LABEL, type Pod, type TypedKey } from '@kemu/api';
import { ConflictError, getObject, type ObjectWriter, type View } from '@kemu/eventlog';
import {
  type ContainerInput,
  MIN_GRACE_MS,
  type PodRuntime,
  type RestartPolicy,
  podRuntimeFromSnapshot,
  podStatus,
  podStatusFromSnapshot,
} from '@kemu/lifecycle';
import type { Logger } from '@kemu/log';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { type Actor, createActor } from 'xstate';
import type { HollowMachines } from './hollow-actors.js';
import { adoptionPending, podAtRest, restingRuntime, resumeRestingPod } from './hollow-rest.js';
import { resumeHollowPod } from './hollow-resume.js';

/** What every hollow pod of a node shares. */
export interface HollowPodDeps {
  node: string;
  hostIP: string;
  writer: ObjectWriter;
  view: View;
  /** The shared machines (createHollowMachines). */
  machines: HollowMachines;
  now: () => number;
  /** The node is down (chaos): nothing is written until `resync()`. */
  paused: () => boolean;
  log: Logger;
}

/** A running hollow pod. */
export interface HollowPod {
  readonly podIP: string;
  /** A newer version of the pod: a deletion starts the termination; a status others changed is published again. */
  update(pod: Pod): void;
  /** Publishes the status again if the log's differs (the node is back). */
  resync(): void;
  /** The pod vanished from the log (force delete): stop, write nothing. */
  forceDeleted(): void;
  /** Stops without writing (agent shutdown). */
  stop(): void;
  /** Whether the pod rests (no machine, hollow-rest.ts). */
  resting(): boolean;
  /** Resolves when the pod is finished and removed. */
  readonly done: Promise<void>;
}

type PodActor = Actor<ReturnType<HollowMachines>>;

/** How a pod machine starts: fresh, or resumed from a published status or from rest. */
interface MachineStart {
  containers: ContainerInput[];
  sandboxExists: boolean;
  startTime: string;
}

/** Starts the hollow pod `pod` with `podIP`. */
export function startHollowPod(pod: Pod, podIP: string, deps: HollowPodDeps): HollowPod {
  const uid = pod.metadata.uid ?? '';
  const key: TypedKey<'pods'> = {
    resource: 'pods',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
  };
  // Made when something is logged: a child logger per pod is a few hundred bytes times 10 000.
  const log = () => deps.log.child({ pod: `${key.namespace}/${key.name}` });
  const restartPolicy: RestartPolicy = pod.spec.restartPolicy ?? 'Always';
  const graceMs = Math.max(MIN_GRACE_MS, (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
  let stopped = false;
  let deleteRequested = false;
  /** A deletion's grace (seconds) held until a resumed machine has adopted its containers. */
  let heldDelete: { graceSeconds: number | undefined } | undefined;
  let dirty = false;
  let flushing = false;
  /** The machine; undefined while the pod rests. */
  let actor: PodActor | undefined;
  /** The runtime the machine showed when the pod came to rest (invariant: set exactly while `actor` is not). */
  let rest: PodRuntime | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const finish = () => {
    stopped = true;
    resolveDone();
  };
  const iso = () => new Date(deps.now()).toISOString();

  function run(start: MachineStart): PodActor {
    const machine = deps.machines({ completes: restartPolicy !== 'Always', sandboxExists: start.sandboxExists });
    const a: PodActor = createActor(machine, {
      input: {
        containers: start.containers.map((c) => ({ ...c, graceMs })),
        sandboxExists: start.sandboxExists,
        podIP,
        hostIP: deps.hostIP,
        startTime: start.startTime,
      },
      // Every snapshot, the container machines' included (the root's subscribers see only its own).
      inspect: (ev) => {
        if (ev.type !== '@xstate.snapshot' || actor !== a) return;
        schedule();
        if (heldDelete) queueMicrotask(releaseDelete);
      },
    });
    actor = a;
    a.subscribe({
      complete: () => {
        if (actor === a) schedule();
      },
      error: (err) => log().error({ err }, 'hollow pod lifecycle failed'),
    });
    a.start();
    return a;
  }

  /** The machine, resumed from rest if the pod rests. */
  function awake(): PodActor {
    if (actor) return actor;
    const from = rest as PodRuntime;
    rest = undefined;
    return run(resumeRestingPod(from, restartPolicy));
  }

  /** The status the pod's runtime gives, on `p` (its previous status supplies transition times). */
  function statusOn(p: Pod) {
    return actor ? podStatusFromSnapshot(actor.getSnapshot(), p, iso()) : podStatus(rest as PodRuntime, p, iso());
  }

  function schedule(): void {
    if (stopped) return;
    dirty = true;
    if (flushing) return;
    flushing = true;
    setImmediate(() => void flush());
  }

  async function flush(): Promise<void> {
    while (dirty && !stopped && !deps.paused()) {
      dirty = false;
      try {
        if (actor?.getSnapshot().status === 'done') {
          await removePod();
          finish();
        } else await writeStatus();
      } catch (err) {
        log().warn({ err }, 'hollow pod status write failed, retrying');
        dirty = true;
        await sleep(1_000);
      }
    }
    flushing = false;
    if (!dirty) settle(getObject(deps.view, key));
  }

  /** Lets the pod rest when its machine is at rest and the log has its status (`p`: the pod as the view has it). */
  function settle(p: Pod | undefined): void {
    if (!actor || stopped || flushing || deleteRequested || !p || p.metadata.uid !== uid) return;
    const snapshot = actor.getSnapshot();
    if (!podAtRest(snapshot, restartPolicy) || p.metadata.annotations?.[HOLLOW_LABEL] !== 'true') return;
    const runtime = restingRuntime(podRuntimeFromSnapshot(snapshot));
    if (!isDeepStrictEqual(podStatus(runtime, p, iso()), p.status)) return;
    const a = actor;
    actor = undefined;
    rest = runtime;
    a.stop();
  }

  async function writeStatus(): Promise<void> {
    await deps.writer.update(key, (p) => {
      if (p.metadata.uid !== uid || p.spec.nodeName !== deps.node) return undefined;
      const status = statusOn(p);
      const marked = p.metadata.annotations?.[HOLLOW_LABEL] === 'true';
      if (marked && isDeepStrictEqual(status, p.status)) return undefined;
      const annotations = { ...p.metadata.annotations, [HOLLOW_LABEL]: 'true' };
      return { ...p, metadata: { ...p.metadata, annotations }, status };
    });
  }

  async function removePod(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const p = getObject(deps.view, key);
      if (!p || p.metadata.uid !== uid) return;
      try {
        await deps.writer.remove(key, { ...p, status: statusOn(p) });
        return;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 10) throw err;
        await sleep(50);
      }
    }
  }

  function requestDelete(p: Pod, force: boolean): void {
    if (deleteRequested || stopped) return;
    const a = awake();
    if (a.getSnapshot().status !== 'active') return;
    deleteRequested = true;
    const graceSeconds = force ? 0 : (p.metadata.deletionGracePeriodSeconds ?? p.spec.terminationGracePeriodSeconds);
    heldDelete = { graceSeconds };
    releaseDelete();
  }

  /** Sends the held deletion once the machine has adopted its containers (hollow-rest.ts). */
  function releaseDelete(): void {
    if (!heldDelete || !actor || adoptionPending(actor.getSnapshot())) return;
    const { graceSeconds } = heldDelete;
    heldDelete = undefined;
    actor.send({ type: 'DELETE_REQUESTED', graceSeconds });
  }

  run({ ...resumeHollowPod(pod), startTime: pod.status?.startTime ?? iso() });
  schedule();
  if (pod.metadata.deletionTimestamp) requestDelete(pod, false);

  return {
    podIP,
    update(p) {
      if (p.metadata.uid !== uid) return;
      if (p.metadata.deletionTimestamp) requestDelete(p, false);
      // As the kubelet's status manager: a status another writer changed is published again.
      if (!isDeepStrictEqual(statusOn(p), p.status)) schedule();
      else settle(p);
    },
    resync: () => schedule(),
    forceDeleted() {
      if (stopped) return;
      stopped = true;
      actor?.stop();
      finish();
    },
    stop() {
      stopped = true;
      actor?.stop();
    },
    resting: () => actor === undefined,
    done,
  };
}
