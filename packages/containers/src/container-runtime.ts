/**
 * kemu's container runtime behind one interface (create, start, wait, kill, delete, state,
 * list, exec), the operations of CRI's container service, so a CRI client could replace
 * it. Each container gets a directory `<dir>/containers/<id>` holding its OCI bundle
 * (config.json and the overlay rootfs), its record and the monitor's files; runc keeps
 * its own state in `<dir>/runc`. Everything about a container is in that directory and
 * runc's state, never in this process, so any node-agent can adopt what another started.
 * Once one container's overlay mounted here, later ones leave the mount to their monitor
 * at start (no `mount` process per container); the first tells whether overlayfs works.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMonitorLauncher, MONITOR_FILES, MONITOR_SCRIPT } from './container-monitor.js';
import {
  mountRootfs,
  overlayOptions,
  prepareOverlay,
  type RootfsMode,
  removeRootfs,
  rootfsPath,
} from './container-rootfs.js';
import {
  type ContainerExit,
  type ContainerState,
  containerMayRun,
  RECORD_FILE,
  readContainerState,
} from './container-state.js';
import {
  ContainerNotFoundError,
  ContainerStartError,
  ContainerStateError,
  InvalidContainerSpecError,
} from './errors.js';
import type { Image } from './image-store.js';
import { type OciSpecInput, ociSpec } from './oci-spec.js';
import { processAlive } from './proc.js';
import { createRuncCli, type RuncExecOptions } from './runc-cli.js';
import { waitForFile } from './wait-for-file.js';

/** What a container is created from. */
export interface ContainerCreate extends OciSpecInput {
  /** [A-Za-z0-9][A-Za-z0-9_.+-]*, unique on this runtime. */
  id: string;
  image: Image;
  /** File the container's stdout and stderr are appended to. */
  logPath: string;
  /** A file (a FIFO) read as the container's stdin; /dev/null when absent. */
  stdinPath?: string;
}

/** The container runtime of a node. */
export interface ContainerRuntime {
  /** Prepares the root filesystem and bundle; the container is `created`, nothing runs yet. */
  create(spec: ContainerCreate): Promise<ContainerState>;
  /** Starts the container's command under its monitor; ContainerStartError when the runtime could not. */
  start(id: string): Promise<ContainerState>;
  /** Resolves when the container has exited (at once for a stopped one); undefined when `signal` aborts. */
  wait(id: string, signal?: AbortSignal): Promise<ContainerExit | undefined>;
  /** Signals the container's init (PID 1 in its namespace); a stopped container is fine. */
  kill(id: string, signal: NodeJS.Signals): Promise<void>;
  /** Kills it if needed and removes runtime state, overlay and directory; an unknown id is fine. */
  delete(id: string): Promise<void>;
  state(id: string): Promise<ContainerState | undefined>;
  /** Every container of this runtime, as found on disk (what a restarted agent adopts). */
  list(): Promise<ContainerState[]>;
  /** Spawns a process inside a running container (`runc exec`), stdio piped to the caller. */
  exec(id: string, options: RuncExecOptions): ChildProcess;
  /** The argv of an exec into the container, for callers that spawn it themselves (pipes, a pty). */
  execArgv(id: string, options: RuncExecOptions): string[];
  /** The container's root filesystem as the host sees it (where its files are). */
  rootfs(id: string): string;
}

/** The runtime directory of a node: `<cluster state dir>/containers/<node>`. */
export function nodeRuntimeDir(stateDir: string, node: string): string {
  return join(stateDir, 'containers', node);
}

/** Settings of a node's runtime. */
export interface ContainerRuntimeOptions {
  /** The node's runtime directory (containers, runc state, the monitor script). */
  dir: string;
  /** The OCI runtime binary; runc (crun 1.8 refuses hybrid cgroup hosts). */
  runtimeBinary?: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$/;

/** Opens (creating its directories) the runtime of a node. */
export async function createContainerRuntime(options: ContainerRuntimeOptions): Promise<ContainerRuntime> {
  const containersDir = join(options.dir, 'containers');
  const runc = createRuncCli(await absoluteBinary(options.runtimeBinary ?? 'runc'), join(options.dir, 'runc'));
  const script = join(options.dir, 'kemu-monitor.pl');
  await mkdir(containersDir, { recursive: true });
  await mkdir(runc.root, { recursive: true });
  await writeFile(script, MONITOR_SCRIPT);
  const monitors = createMonitorLauncher(script);
  const dirOf = (id: string) => {
    if (!ID.test(id)) throw new InvalidContainerSpecError(`invalid container id "${id}"`);
    return join(containersDir, id);
  };
  // Whether overlayfs mounts in this directory, learned from the first container's mount.
  let overlayWorks = false;
  const mustState = async (id: string) => {
    const s = await readContainerState(dirOf(id));
    if (!s) throw new ContainerNotFoundError(`no container ${id}`);
    return s;
  };

  const runtime: ContainerRuntime = {
    async create(spec) {
      const dir = dirOf(spec.id);
      if (await readContainerState(dir)) throw new ContainerStateError(`container ${spec.id} exists`);
      await mkdir(dir, { recursive: true });
      try {
        // The monitor mounts the overlay at start once overlayfs is known to work here.
        const deferMount = overlayWorks;
        let rootfsMode: RootfsMode = 'overlay';
        if (deferMount) await prepareOverlay(dir);
        else {
          rootfsMode = await mountRootfs(dir, spec.image.rootfs);
          overlayWorks = rootfsMode === 'overlay';
        }
        const mounts = [...spec.image.mounts, ...(spec.mounts ?? [])];
        await writeFile(join(dir, 'config.json'), JSON.stringify(ociSpec({ ...spec, mounts }, rootfsPath(dir))));
        const record = {
          id: spec.id,
          logPath: spec.logPath,
          ...(spec.stdinPath ? { stdinPath: spec.stdinPath } : {}),
          image: { reference: spec.image.definition.reference, digest: spec.image.digest },
          annotations: spec.annotations ?? {},
          rootfsMode,
          ...(deferMount ? { overlayLower: spec.image.rootfs } : {}),
          createdAt: new Date().toISOString(),
        };
        await writeFile(join(dir, RECORD_FILE), JSON.stringify(record));
        return { ...record, status: 'created' };
      } catch (err) {
        await removeRootfs(dir).catch(() => undefined);
        throw err;
      }
    },

    async start(id) {
      const dir = dirOf(id);
      const before = await mustState(id);
      if (before.status !== 'created' || before.monitorPid !== undefined) {
        throw new ContainerStateError(`container ${id} was started already`);
      }
      const files = {
        dir,
        logPath: before.logPath,
        ...(before.stdinPath ? { stdinPath: before.stdinPath } : {}),
        ...(before.overlayLower ? { overlay: overlayOptions(dir, before.overlayLower) } : {}),
      };
      const argv = runc.runArgv(id, dir, join(dir, MONITOR_FILES.containerPid), join(dir, MONITOR_FILES.runtimeLog));
      const monitorPid = await monitors.launch(argv, files);
      await waitForFile(dir, [MONITOR_FILES.started, MONITOR_FILES.exit], {
        timeoutMs: 60_000,
        pollMs: 100,
        check: async () => !(await processAlive(monitorPid)),
      });
      const after = await mustState(id);
      // `started` is the proof, whichever file the wait saw first (a quick exit writes both at once).
      if (after.startedAt === undefined) {
        throw new ContainerStartError(`container ${id} could not start: ${await runtimeError(dir, after.logPath)}`);
      }
      return after;
    },

    async wait(id, signal) {
      const dir = dirOf(id);
      for (;;) {
        const s = await mustState(id);
        if (s.exit) return s.exit;
        if (signal?.aborted) return undefined;
        await waitForFile(dir, [MONITOR_FILES.exit], {
          pollMs: 1_000,
          ...(signal ? { signal } : {}),
          // Both gone without a record: the state read above the next wait says how it ended.
          check: async () => !(await containerMayRun(dir, s.pid)),
        });
      }
    },

    async kill(id, signal) {
      const s = await mustState(id);
      if (s.status === 'running') await runc.kill(id, signal);
    },

    async delete(id) {
      const dir = dirOf(id);
      const s = await readContainerState(dir);
      if (s?.status === 'running') {
        // SIGKILL and the monitor's exit record first: `runc delete --force` alone polls for the death in 100 ms steps.
        await runc.kill(id, 'SIGKILL');
        await waitForFile(dir, [MONITOR_FILES.exit], {
          timeoutMs: 5_000,
          pollMs: 100,
          check: async () => (await readContainerState(dir))?.status === 'stopped',
        });
      }
      await runc.delete(id, true);
      await stopMonitor(dir);
      await removeRootfs(dir);
    },

    state: (id) => readContainerState(dirOf(id)),

    async list() {
      const ids = await readdir(containersDir).catch(() => [] as string[]);
      const states = await Promise.all(
        ids.filter((i) => ID.test(i)).map((i) => readContainerState(join(containersDir, i))),
      );
      return states.filter((s): s is ContainerState => s !== undefined);
    },

    exec(id, options) {
      const [cmd, ...args] = runc.execArgv(id, options);
      return spawn(cmd as string, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    },

    execArgv: (id, options) => runc.execArgv(id, options),

    rootfs: (id) => rootfsPath(dirOf(id)),
  };
  return runtime;
}

/** The binary's absolute path (found in PATH), so an exec argv works whatever PATH its spawner has. */
async function absoluteBinary(binary: string): Promise<string> {
  if (binary.includes('/')) return binary;
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    try {
      await access(join(dir, binary), constants.X_OK);
      return join(dir, binary);
    } catch {
      // Not here.
    }
  }
  return binary;
}

/** The runtime's last error message for a container (runc --log, JSON lines), else the log's tail. */
async function runtimeError(dir: string, logPath: string): Promise<string> {
  const text = await readFile(join(dir, MONITOR_FILES.runtimeLog), 'utf8').catch(() => '');
  const errors = text
    .split('\n')
    .map((l) => {
      try {
        return JSON.parse(l) as { level?: string; msg?: string };
      } catch {
        return undefined;
      }
    })
    .filter((l) => l?.level === 'error');
  const tail = (await readFile(logPath, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' ');
  return errors.at(-1)?.msg ?? (tail || 'the monitor exited');
}

/** Waits briefly for the monitor of a container that is gone to finish, then kills it. */
async function stopMonitor(dir: string): Promise<void> {
  const text = await readFile(join(dir, MONITOR_FILES.monitor), 'utf8').catch(() => undefined);
  if (!text) return;
  const { pid, startTicks } = JSON.parse(text) as { pid: number; startTicks?: string };
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline && (await processAlive(pid, startTicks))) await new Promise((r) => setTimeout(r, 20));
  if (await processAlive(pid, startTicks)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

/** The id of the container of the runtime in `dir` whose init is `pid`, read from disk only (no runtime opened). */
export async function findContainerByPid(dir: string, pid: number): Promise<string | undefined> {
  const containersDir = join(dir, 'containers');
  for (const id of await readdir(containersDir).catch(() => [] as string[])) {
    const text = await readFile(join(containersDir, id, MONITOR_FILES.containerPid), 'utf8').catch(() => '');
    if (Number.parseInt(text.trim(), 10) === pid) return id;
  }
  return undefined;
}

/** The argv of an exec into container `id` of the runtime in `dir` (for a process that is not the node-agent). */
export function containerExecArgv(dir: string, id: string, options: RuncExecOptions): string[] {
  return createRuncCli('runc', join(dir, 'runc')).execArgv(id, options);
}
