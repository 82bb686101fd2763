/**
 * Starts a cluster's nats-server as a detached process (its own session, output to its
 * log file) so it outlives `kemu up`; the supervisor adopts it afterwards.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ComponentSpec } from './components.js';
import { PrerequisiteError } from '../errors.js';

/** Spawns the spec detached (setsid) with stdout/stderr appended to its log file; returns its pid. */
export async function spawnDetached(spec: ComponentSpec, baseEnv: NodeJS.ProcessEnv): Promise<number> {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      env: { ...baseEnv, ...spec.env },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid as number));
      child.once('error', (err) => {
        const code = (err as NodeJS.ErrnoException).code;
        reject(
          code === 'ENOENT'
            ? new PrerequisiteError(`${spec.command} not found on PATH`)
            : new PrerequisiteError(`cannot start ${spec.name}: ${err.message}`),
        );
      });
    });
    child.unref();
    return pid;
  } finally {
    closeSync(fd);
  }
}
