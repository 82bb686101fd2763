/**
 * Follows a node netns's conntrack events (`conntrack -E`) and hands each parsed event to
 * a callback. One long-lived process per node; it ends with `stop()` or when the
 * netns goes away. With `destination` set, conntrack attaches a socket filter so the
 * kernel sends only the events of flows to that CIDR (the ClusterIPs), not the node's
 * pod-to-pod traffic. Events are best effort: when this process reads too slowly the
 * kernel drops them (conntrack reports ENOBUFS) and the data plane never waits.
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
  /** Only flows whose original destination is in this CIDR. */
  destination?: string;
  /** Called when the kernel dropped events because the socket buffer was full (ENOBUFS). */
  onEventsLost?(): void;
  /** Lines matching this are dropped unparsed (events the consumer has no use for). */
  skip?: RegExp;
}

/** A running watcher. */
export interface ConntrackWatch {
  /** Resolves once conntrack has subscribed (its first output or 300 ms, whichever is first). */
  ready: Promise<void>;
  stop(): void;
}

/** Netlink receive buffer for events: bursts of short connections fit before the kernel drops any. */
const BUFFER_BYTES = 8 * 1024 * 1024;

/** Starts `conntrack -E` and parses its lines. */
export function watchConntrackEvents(options: ConntrackWatchOptions): ConntrackWatch {
  const args = ['-E', '-e', 'NEW,UPDATE,DESTROY', '-o', 'timestamp,id', '-b', String(BUFFER_BYTES)];
  if (options.destination) args.push('-d', options.destination);
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  const child: ChildProcess = options.netns
    ? spawn('ip', ['netns', 'exec', options.netns, 'conntrack', ...args], { stdio })
    : spawn('conntrack', args, { stdio });
  let stopped = false;
  child.on('error', () => undefined);
  child.on('exit', (code) => options.onExit?.(stopped ? null : code));
  const skip = options.skip;
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (skip?.test(line)) return;
    const e = parseConntrackEvent(line);
    if (e) options.onEvent(e);
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.includes('ENOBUFS')) options.onEventsLost?.();
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
