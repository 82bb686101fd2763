/**
 * Follows a node netns's conntrack events (`conntrack -E`) and hands each parsed event to
 * a callback. One long-lived process per node; it ends with `stop()` or when the
 * netns goes away.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type ConntrackEvent, parseConntrackEvent } from './conntrack-events.js';

/** Where to watch and whom to tell. */
export interface ConntrackWatchOptions {
  /** Named netns to enter with `ip netns exec`; absent means the current one. */
  netns?: string;
  onEvent(event: ConntrackEvent): void;
  /** Called once when the conntrack process ends, with its exit code (null when stopped). */
  onExit?(code: number | null): void;
}

/** A running watcher. */
export interface ConntrackWatch {
  /** Resolves once conntrack has subscribed (its first output or 300 ms, whichever is first). */
  ready: Promise<void>;
  stop(): void;
}

const ARGS = ['-E', '-e', 'NEW,UPDATE,DESTROY', '-o', 'timestamp,id'];

/** Starts `conntrack -E` and parses its lines. */
export function watchConntrackEvents(options: ConntrackWatchOptions): ConntrackWatch {
  const child: ChildProcess = options.netns
    ? spawn('ip', ['netns', 'exec', options.netns, 'conntrack', ...ARGS], { stdio: ['ignore', 'pipe', 'ignore'] })
    : spawn('conntrack', ARGS, { stdio: ['ignore', 'pipe', 'ignore'] });
  let stopped = false;
  child.on('error', () => undefined);
  child.on('exit', (code) => options.onExit?.(stopped ? null : code));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const e = parseConntrackEvent(line);
    if (e) options.onEvent(e);
  });
  // conntrack gives no "subscribed" signal; spawn plus netlink bind takes a few ms.
  const ready = new Promise<void>((resolve) => {
    child.once('spawn', () => setTimeout(resolve, 300));
  });
  return {
    ready,
    stop() {
      stopped = true;
      child.kill('SIGTERM');
    },
  };
}
