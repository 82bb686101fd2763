/**
 * How a supervisor records its components: pids.json (component → pid, with its own pid
 * as `supervisor`) and status.json (restarts, last exit) after every change. Writes are
 * chained so an older record never overwrites a newer one.
 */
import type { Logger } from '@kemu/log';
import { writeJsonAtomic } from '../state-store.js';
import type { ComponentStatus } from './supervisor.js';

export interface StatusRecorder {
  /** The supervisor's onChange. */
  record(status: Record<string, ComponentStatus>): void;
  /** Resolves once every record so far is written. */
  flushed(): Promise<void>;
}

export function createStatusRecorder(
  files: { pidsFile: string; statusFile: string },
  log: Logger,
  also?: (status: Record<string, ComponentStatus>) => Promise<void>,
): StatusRecorder {
  let writing = Promise.resolve();
  return {
    record(status) {
      const pids: Record<string, number> = { supervisor: process.pid };
      for (const [name, s] of Object.entries(status)) if (s.pid !== null) pids[name] = s.pid;
      writing = writing
        .then(async () => {
          await writeJsonAtomic(files.pidsFile, pids);
          await writeJsonAtomic(files.statusFile, status);
          await also?.(status);
        })
        .catch((err: unknown) => log.error({ err }, 'cannot write pid files'));
    },
    flushed: () => writing,
  };
}
