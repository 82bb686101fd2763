/**
 * Structured logging for every kemu process: pino JSON with the component and node
 * bound on the root logger, so every line names who wrote it.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Options for the root logger of one process. */
export interface LoggerOptions {
  component: string;
  /** The node of a per-node process; null for the control plane. */
  node?: string | null;
  /** pino level (default info); the caller reads it from its configuration (KEMU_LOG_LEVEL). */
  level?: string;
}

/** Creates the root logger of a process; children add the object (`log.child({ pod })`). */
export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level ?? 'info',
    base: { component: options.component, node: options.node ?? null, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
