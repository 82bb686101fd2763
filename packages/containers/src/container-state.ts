/**
 * A container's state read back from its directory alone, so a node-agent that did not
 * start it (a restarted one) sees the same as the one that did: `container.json` (what
 * it was created with), `monitor.json` (the monitor's pid), `started` (the start worked;
 * its mtime is the start time), `container.pid` (runc's pid file) and `exit.json` (the
 * monitor's record; its mtime is the finish time).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MONITOR_FILES } from './container-monitor.js';
import type { RootfsMode } from './container-rootfs.js';
import { processAlive } from './proc.js';

/** How a container ended; reason as Kubernetes reports it. */
export interface ContainerExit {
  exitCode: number;
  /** The signal that ended it, 0 when it exited. */
  signal: number;
  reason: 'Completed' | 'Error' | 'StartError' | 'Unknown';
  finishedAt: string;
}

/** What a container was created with, kept in its directory for a later node-agent. */
export interface ContainerRecord {
  id: string;
  logPath: string;
  stdinPath?: string;
  image: { reference: string; digest: string };
  annotations: Record<string, string>;
  rootfsMode: RootfsMode;
  /** The image's rootfs, the lower directory of an overlay the monitor mounts at start (absent: mounted at create). */
  overlayLower?: string;
  createdAt: string;
}

/** A container's state. */
export interface ContainerState extends ContainerRecord {
  status: 'created' | 'running' | 'stopped';
  /** The init's pid (host pid namespace) once started. */
  pid?: number;
  monitorPid?: number;
  startedAt?: string;
  exit?: ContainerExit;
}

/** The record file of a container directory. */
export const RECORD_FILE = 'container.json';

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function mtime(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).mtime.toISOString();
  } catch {
    return undefined;
  }
}

/**
 * Whether the container in `dir` whose init is `pid` may still end with a record: its
 * monitor (the one of monitor.json, by start time) or its init runs. Two /proc reads, where
 * a whole state read takes seven file operations: for a poll of every running container.
 */
export async function containerMayRun(dir: string, pid: number | undefined): Promise<boolean> {
  const monitor = await readJson<{ pid: number; startTicks?: string }>(join(dir, MONITOR_FILES.monitor));
  if (monitor && (await processAlive(monitor.pid, monitor.startTicks))) return true;
  return pid !== undefined && (await processAlive(pid));
}

/** Reads the state of the container in `dir`; undefined when it has no record (not created, or removed). */
export async function readContainerState(dir: string): Promise<ContainerState | undefined> {
  const record = await readJson<ContainerRecord>(join(dir, RECORD_FILE));
  if (!record) return undefined;
  const monitor = await readJson<{ pid: number; startTicks?: string }>(join(dir, MONITOR_FILES.monitor));
  const startedAt = await mtime(join(dir, MONITOR_FILES.started));
  const pidText = await readFile(join(dir, MONITOR_FILES.containerPid), 'utf8').catch(() => undefined);
  const pid = pidText ? Number.parseInt(pidText.trim(), 10) : undefined;
  const base = {
    ...record,
    ...(monitor ? { monitorPid: monitor.pid } : {}),
    ...(pid !== undefined && Number.isInteger(pid) ? { pid } : {}),
    ...(startedAt ? { startedAt } : {}),
  };
  const recorded = async (): Promise<ContainerState | undefined> => {
    const exit = await readJson<Omit<ContainerExit, 'finishedAt'>>(join(dir, MONITOR_FILES.exit));
    if (!exit) return undefined;
    const finishedAt = (await mtime(join(dir, MONITOR_FILES.exit))) ?? new Date().toISOString();
    return { ...base, status: 'stopped', exit: { ...exit, finishedAt } };
  };
  const first = await recorded();
  if (first) return first;
  if (!monitor) return { ...base, status: 'created' };
  const monitorAlive = await processAlive(monitor.pid, monitor.startTicks);
  const initAlive = pid !== undefined && (await processAlive(pid));
  if (monitorAlive || initAlive) return { ...base, status: startedAt || initAlive ? 'running' : 'created' };
  // Both gone: the monitor may have written its record since the first look.
  const late = await recorded();
  if (late) return late;
  // The monitor died without a record (killed): the exit status is lost, as Kubernetes' ContainerStatusUnknown.
  const exitUnknown: ContainerExit = {
    exitCode: 137,
    signal: 0,
    reason: 'Unknown',
    finishedAt: new Date().toISOString(),
  };
  return { ...base, status: 'stopped', exit: exitUnknown };
}
