/**
 * The node's containers: @kemu/containers behind the node-agent's process interface
 * (`ContainerProcess`), so the pod machinery stays as it was and a CRI client could take
 * the runtime's place. A container run is `<pod uid>-<name>-<restartCount>`, created in
 * the pod's sandbox netns from the image kemu builds for its reference, with the pod's
 * volumes (directories under the runtime directory, a tmpfs for `medium: Memory`) and
 * `shareProcessNamespace` (the containers join the PID namespace of a pause container
 * the pod gets for it, busybox `sleep infinity`, as the sandbox's pause holds it). Execs (kubectl exec, exec probes, hooks) enter a container by its init's
 * pid, which the pod status carries as `kemu://<pid>`; a pid that belongs to no container
 * (a process started before the runtime) is entered the old way.
 */
import type { Pod } from '@kemu/api';
import {
  adoptContainer,
  type ContainerRun,
  type ContainerRuntime,
  containerArgv,
  containerEnvironment,
  type ImageStore,
  runContainer,
} from '@kemu/containers';
import type { Logger } from '@kemu/log';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ContainerLaunch, commandShape } from './container-launch.js';
import { containerIdFor, podContainerIdPrefix, podVolumes } from './container-spec.js';
import type { ContainerProcess } from './process-runner.js';

/** Annotations a container carries for adoption and sweeps. */
export const POD_UID = 'io.kubernetes.pod.uid';
const CONTAINER_NAME = 'io.kubernetes.container.name';

/** The node's containers. */
export interface NodeContainers {
  /** Creates and starts a run of a container; throws when it cannot start (StartError). */
  start(
    pod: Pod,
    launch: ContainerLaunch,
    run: { name: string; restartCount: number; logPath: string },
  ): Promise<ContainerProcess>;
  /** Watches the container whose init is `pid`; undefined when no container has that pid. */
  adopt(pid: number): Promise<ContainerProcess | undefined>;
  /** The argv prefix running a command inside the container whose init is `pid` (undefined: no such container). */
  enter(pid: number, options?: { tty?: boolean }): string[] | undefined;
  /** The host path of the root filesystem of the container whose init is `pid`. */
  rootfs(pid: number): string | undefined;
  /** Deletes the containers and volumes of pods not in `live` (by uid); returns how many containers went. */
  sweep(live: ReadonlySet<string>): Promise<number>;
  /** Removes the pod's pause container and volumes (its containers are gone). */
  removePod(uid: string): Promise<void>;
}

function mountTmpfs(path: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('mount', ['-t', 'tmpfs', '-o', 'mode=1777', 'tmpfs', path], (err) => (err ? reject(err) : resolve())),
  );
}

async function isMounted(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((l) => l.split(' ')[4] === path);
}

function asProcess(run: ContainerRun): ContainerProcess {
  return {
    pid: run.pid,
    startedAt: run.startedAt,
    exited: run.exited.then((e) => ({
      ...(e.reason === 'Unknown' ? {} : { exitCode: e.exitCode }),
      ...(e.signal ? { signal: e.signal } : {}),
      finishedAt: e.finishedAt,
    })),
    kill: (signal) => run.kill(signal),
    unwatch: () => run.unwatch(),
  };
}

/** Creates the node's containers over `runtime`, with pod volumes under `volumesDir`. */
export function createNodeContainers(o: {
  runtime: ContainerRuntime;
  images: ImageStore;
  volumesDir: string;
  log: Logger;
}): NodeContainers {
  const byPid = new Map<number, string>();
  const volumesOf = (uid: string) => join(o.volumesDir, uid);
  // Exited containers still being deleted: a pod's removal waits for its own.
  const deleting = new Map<string, Promise<void>>();
  const track = (run: ContainerRun): ContainerRun => {
    byPid.set(run.pid, run.id);
    void run.exited.then(() => {
      byPid.delete(run.pid);
      deleting.set(run.id, run.deleted);
      void run.deleted.then(() => deleting.delete(run.id));
    });
    return run;
  };

  async function prepareVolumes(pod: Pod): Promise<void> {
    for (const v of podVolumes(pod, volumesOf(pod.metadata.uid ?? ''))) {
      await mkdir(v.path, { recursive: true });
      if (v.memory && !(await isMounted(v.path))) await mountTmpfs(v.path);
    }
  }

  async function removePod(uid: string): Promise<void> {
    pauses.delete(uid);
    const prefix = podContainerIdPrefix(uid);
    await Promise.all([...deleting].filter(([id]) => id.startsWith(prefix)).map(([, done]) => done));
    await o.runtime
      .delete(pauseId(uid))
      .catch((err: unknown) => o.log.warn({ err, uid }, 'pause container removal failed'));
    const dir = volumesOf(uid);
    const info = await readFile('/proc/self/mountinfo', 'utf8');
    const mounts = info
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m.startsWith(`${dir}/`));
    for (const m of mounts) await new Promise<void>((resolve) => execFile('umount', ['-l', m], () => resolve()));
    await rm(dir, { recursive: true, force: true });
  }

  /** The pod's pause container (shareProcessNamespace): it holds the PID namespace the containers join. */
  const pauses = new Map<string, Promise<string>>();
  const pauseId = (uid: string) => `${podContainerIdPrefix(uid)}pause`;

  async function startPause(pod: Pod, launch: ContainerLaunch): Promise<string> {
    const uid = pod.metadata.uid ?? '';
    const id = pauseId(uid);
    const existing = await o.runtime.state(id);
    if (existing?.status === 'running' && existing.pid !== undefined) return `/proc/${existing.pid}/ns/pid`;
    if (existing) await o.runtime.delete(id);
    const image = await o.images.resolve('busybox');
    const run = await runContainer(o.runtime, {
      id,
      image,
      args: ['sleep', 'infinity'],
      env: image.definition.config.env,
      hostname: launch.hostname,
      netnsPath: launch.netnsPath,
      logPath: join(volumesOf(uid), '.pause.log'),
      annotations: { [POD_UID]: uid, [CONTAINER_NAME]: 'POD' },
    });
    run.unwatch();
    return `/proc/${run.pid}/ns/pid`;
  }

  function sharedPidNamespace(pod: Pod, launch: ContainerLaunch): Promise<string> | undefined {
    if (pod.spec.shareProcessNamespace !== true) return undefined;
    const uid = pod.metadata.uid ?? '';
    let pause = pauses.get(uid);
    if (!pause) {
      pause = startPause(pod, launch);
      pauses.set(uid, pause);
      pause.catch(() => pauses.delete(uid));
    }
    return pause;
  }

  return {
    async start(pod, launch, run) {
      const uid = pod.metadata.uid ?? '';
      const id = containerIdFor(uid, run.name, run.restartCount);
      const image = await o.images.resolve(launch.image, commandShape(launch));
      await prepareVolumes(pod);
      const stale = await o.runtime.state(id);
      if (stale) await o.runtime.delete(id);
      const pidNamespacePath = await sharedPidNamespace(pod, launch);
      const started = await runContainer(o.runtime, {
        id,
        image,
        args: containerArgv(image.definition.config, launch.command, launch.args),
        env: containerEnvironment(image.definition.config, launch.env),
        cwd: image.definition.config.workingDir,
        hostname: launch.hostname,
        netnsPath: launch.netnsPath,
        mounts: launch.mounts,
        ...launch.security,
        ...(pidNamespacePath ? { pidNamespacePath } : {}),
        logPath: run.logPath,
        ...(launch.stdinPath ? { stdinPath: launch.stdinPath } : {}),
        annotations: { [POD_UID]: uid, [CONTAINER_NAME]: run.name, 'io.kubernetes.pod.name': pod.metadata.name },
      });
      return asProcess(track(started));
    },

    async adopt(pid) {
      const state = (await o.runtime.list()).find((c) => c.pid === pid && c.status !== 'created');
      if (!state) {
        o.log.info({ pid }, 'no container has this pid: watching it as a plain process');
        return undefined;
      }
      const run = await adoptContainer(o.runtime, state.id);
      return run ? asProcess(track(run)) : undefined;
    },

    enter(pid, options = {}) {
      const id = byPid.get(pid);
      // A tty exec gets TERM=xterm, as containerd's CRI gives it.
      return id
        ? o.runtime.execArgv(id, { args: [], ...(options.tty ? { tty: true, env: { TERM: 'xterm' } } : {}) })
        : undefined;
    },

    rootfs(pid) {
      const id = byPid.get(pid);
      return id ? o.runtime.rootfs(id) : undefined;
    },

    async sweep(live) {
      let removed = 0;
      for (const c of await o.runtime.list()) {
        const uid = c.annotations[POD_UID] ?? '';
        if (live.has(uid)) continue;
        o.log.info({ container: c.id, uid }, 'removing the container of a pod that is gone');
        await o.runtime
          .delete(c.id)
          .catch((err: unknown) => o.log.warn({ err, container: c.id }, 'container removal failed'));
        removed++;
      }
      for (const uid of await readdir(o.volumesDir).catch(() => [] as string[])) {
        if (!live.has(uid)) await removePod(uid);
      }
      return removed;
    },

    removePod,
  };
}
