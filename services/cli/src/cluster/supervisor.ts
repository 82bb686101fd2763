/**
 * Keeps a cluster's components running, as systemd keeps a kubelet running: each spec is
 * spawned with its output appended to its log file; when one exits it is started again
 * after a backoff (1 s doubling to 30 s, reset after a minute up). A process started by
 * someone else (nats-server, started by `up`) is adopted: watched by polling, and spawned
 * by the supervisor itself once it dies. Every change is reported through `onChange`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '@kemu/log';
import { type BackoffPolicy, defaultBackoff, nextRestartDelay } from './backoff.js';
import type { ComponentSpec } from './components.js';
import { isAlive } from './processes.js';

/** Status of one supervised component, as written to status.json. */
export interface ComponentStatus {
  pid: number | null;
  restarts: number;
  startedAt: string | null;
  lastExit: string | null;
}

/** Options of `startSupervisor`. */
export interface SupervisorOptions {
  specs: ComponentSpec[];
  /** Processes already running for some specs (name → pid), watched instead of spawned. */
  adopted?: Record<string, number>;
  baseEnv: NodeJS.ProcessEnv;
  log: Logger;
  policy?: BackoffPolicy;
  /** How often adopted processes are checked, in ms. */
  pollMs?: number;
  onChange(status: Record<string, ComponentStatus>): void;
}

/** A running supervisor. */
export interface Supervisor {
  status(): Record<string, ComponentStatus>;
  /** Stops restarting and watching; running components are left alone (and no longer keep this process alive). */
  detach(): void;
}

interface Slot {
  spec: ComponentSpec;
  status: ComponentStatus;
  child: ChildProcess | undefined;
  startedMs: number;
  delayMs: number | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** Starts (or adopts) every component and restarts each one that exits. */
export function startSupervisor(o: SupervisorOptions): Supervisor {
  const policy = o.policy ?? defaultBackoff;
  let detached = false;
  const slots = new Map<string, Slot>();

  const snapshot = (): Record<string, ComponentStatus> =>
    Object.fromEntries([...slots].map(([name, s]) => [name, { ...s.status }]));
  const changed = () => {
    if (!detached) o.onChange(snapshot());
  };

  function onExit(slot: Slot, how: string): void {
    if (detached) return;
    const uptime = Date.now() - slot.startedMs;
    slot.child = undefined;
    slot.status.pid = null;
    slot.status.lastExit = how;
    slot.delayMs = nextRestartDelay(slot.delayMs, uptime, policy);
    o.log.warn({ component: slot.spec.name, how, uptimeMs: uptime, restartInMs: slot.delayMs }, 'component exited');
    changed();
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      slot.status.restarts++;
      launch(slot);
    }, slot.delayMs);
  }

  function launch(slot: Slot): void {
    if (detached) return;
    const { spec } = slot;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const fd = openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, { env: { ...o.baseEnv, ...spec.env }, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    slot.child = child;
    slot.startedMs = Date.now();
    let exited = false;
    const exit = (how: string) => {
      if (exited) return;
      exited = true;
      onExit(slot, how);
    };
    child.once('error', (err) => exit(`error: ${err.message}`));
    child.once('exit', (code, sig) => exit(sig ? `signal ${sig}` : `exit code ${code}`));
    if (child.pid === undefined) return;
    slot.status.pid = child.pid;
    slot.status.startedAt = new Date(slot.startedMs).toISOString();
    o.log.info({ component: spec.name, pid: child.pid }, 'component started');
    changed();
  }

  function adopt(slot: Slot, pid: number): void {
    slot.status.pid = pid;
    slot.status.startedAt = new Date().toISOString();
    slot.startedMs = Date.now();
    o.log.info({ component: slot.spec.name, pid }, 'component adopted');
    const watch = async () => {
      if (detached) return;
      if (await isAlive(pid)) {
        slot.timer = setTimeout(watch, o.pollMs ?? 1_000);
        return;
      }
      onExit(slot, 'adopted process gone');
    };
    slot.timer = setTimeout(watch, o.pollMs ?? 1_000);
  }

  for (const spec of o.specs) {
    const slot: Slot = {
      spec,
      status: { pid: null, restarts: 0, startedAt: null, lastExit: null },
      child: undefined,
      startedMs: Date.now(),
      delayMs: undefined,
      timer: undefined,
    };
    slots.set(spec.name, slot);
    const adoptedPid = o.adopted?.[spec.name];
    if (adoptedPid !== undefined) adopt(slot, adoptedPid);
    else launch(slot);
  }
  changed();

  return {
    status: snapshot,
    detach() {
      detached = true;
      for (const slot of slots.values()) {
        if (slot.timer) clearTimeout(slot.timer);
        // Left running on purpose; unref so the supervisor process itself can exit.
        slot.child?.unref();
      }
    },
  };
}
