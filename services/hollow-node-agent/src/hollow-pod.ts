/**
 * One hollow pod: the shared pod machine with timed actors (hollow-actors.ts) and a
 * publisher that turns its snapshots into status writes, as the node-agent's pod worker
 * does: one write in flight, the latest status wins, nothing written when the log
 * already has it. The first write also marks the pod with the hollow annotation, so it
 * is never mistaken for one with a process. When the machine ends (deletion done) the pod
 * is removed with its final status. A pod found with a published status (this process
 * restarted) resumes from it (hollow-resume.ts) instead of passing its stages again.
 */
import { HOLLOW_LABEL, type Pod, type TypedKey } from '@kemu/api';
import { ConflictError, getObject, type ObjectWriter, type View } from '@kemu/eventlog';
import { MIN_GRACE_MS, type RestartPolicy, podStatusFromSnapshot } from '@kemu/lifecycle';
import type { Logger } from '@kemu/log';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { createActor } from 'xstate';
import type { HollowMachines } from './hollow-actors.js';
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
  /** Resolves when the pod is finished and removed. */
  readonly done: Promise<void>;
}

/** Starts the hollow pod `pod` with `podIP`. */
export function startHollowPod(pod: Pod, podIP: string, deps: HollowPodDeps): HollowPod {
  const uid = pod.metadata.uid ?? '';
  const key: TypedKey<'pods'> = {
    resource: 'pods',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
  };
  const log = deps.log.child({ pod: `${key.namespace}/${key.name}` });
  const restartPolicy: RestartPolicy = pod.spec.restartPolicy ?? 'Always';
  const graceMs = Math.max(MIN_GRACE_MS, (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
  let stopped = false;
  let deleteRequested = false;
  let dirty = false;
  let flushing = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const finish = () => {
    stopped = true;
    resolveDone();
  };

  const resumed = resumeHollowPod(pod);
  const machine = deps.machines({ completes: restartPolicy !== 'Always', sandboxExists: resumed.sandboxExists });
  const actor = createActor(machine, {
    input: {
      containers: resumed.containers.map((c) => ({ ...c, graceMs })),
      sandboxExists: resumed.sandboxExists,
      podIP,
      hostIP: deps.hostIP,
      startTime: pod.status?.startTime ?? new Date(deps.now()).toISOString(),
    },
    // Every snapshot, the container machines' included (the root's subscribers see only its own).
    inspect: (ev) => {
      if (ev.type === '@xstate.snapshot') schedule();
    },
  });
  const iso = () => new Date(deps.now()).toISOString();

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
        if (actor.getSnapshot().status === 'done') {
          await removePod();
          finish();
        } else await writeStatus();
      } catch (err) {
        log.warn({ err }, 'hollow pod status write failed, retrying');
        dirty = true;
        await sleep(1_000);
      }
    }
    flushing = false;
  }

  async function writeStatus(): Promise<void> {
    await deps.writer.update(key, (p) => {
      if (p.metadata.uid !== uid || p.spec.nodeName !== deps.node) return undefined;
      const status = podStatusFromSnapshot(actor.getSnapshot(), p, iso());
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
        await deps.writer.remove(key, { ...p, status: podStatusFromSnapshot(actor.getSnapshot(), p, iso()) });
        return;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 10) throw err;
        await sleep(50);
      }
    }
  }

  function requestDelete(p: Pod, force: boolean): void {
    if (deleteRequested || actor.getSnapshot().status !== 'active') return;
    deleteRequested = true;
    const graceSeconds = force ? 0 : (p.metadata.deletionGracePeriodSeconds ?? p.spec.terminationGracePeriodSeconds);
    actor.send({ type: 'DELETE_REQUESTED', graceSeconds });
  }

  actor.subscribe({
    complete: () => schedule(),
    error: (err) => log.error({ err }, 'hollow pod lifecycle failed'),
  });
  actor.start();
  schedule();
  if (pod.metadata.deletionTimestamp) requestDelete(pod, false);

  return {
    podIP,
    update(p) {
      if (p.metadata.uid !== uid) return;
      if (p.metadata.deletionTimestamp) requestDelete(p, false);
      // As the kubelet's status manager: a status another writer changed is published again.
      if (!isDeepStrictEqual(podStatusFromSnapshot(actor.getSnapshot(), p, iso()), p.status)) schedule();
    },
    resync: () => schedule(),
    forceDeleted() {
      if (stopped) return;
      stopped = true;
      actor.stop();
      finish();
    },
    stop() {
      stopped = true;
      actor.stop();
    },
    done,
  };
}
