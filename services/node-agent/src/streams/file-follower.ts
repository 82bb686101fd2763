/**
 * Follows a growing file, as `tail -f` does, until its writer is gone: each tick reads
 * what is new, and once the writer has ended a last read delivers the rest (with any
 * partial last line) before it stops. Polling keeps it independent of inotify and of
 * the rename that turns a log into the previous log (the open descriptor stays valid).
 */
import { readFileSync, readSync } from 'node:fs';

/** Options of a follower. */
export interface FollowOptions {
  fd: number;
  /** File offset to start at. */
  from: number;
  pollMs: number;
  /** False once nothing writes the file any more. */
  alive(): boolean;
  /** New bytes from offset `base`; `final` on the last call. Returns how many bytes it consumed. */
  onChunk(buf: Buffer, base: number, final: boolean): number;
  /** Called once after the final chunk (not after stop()). */
  onEnd(): void;
}

/** A running follower. */
export interface FileFollower {
  stop(): void;
}

/** The most read in one tick. */
const MAX_READ = 1024 * 1024;

/** True while /proc/<pid> exists and is no zombie. */
export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function readFrom(fd: number, pos: number): Buffer {
  const buf = Buffer.allocUnsafe(MAX_READ);
  let n = 0;
  while (n < MAX_READ) {
    const got = readSync(fd, buf, n, MAX_READ - n, pos + n);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/** Starts following; the first read happens at once. */
export function followFile(o: FollowOptions): FileFollower {
  let pos = o.from;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  function tick(): void {
    if (stopped) return;
    const live = o.alive();
    let buf: Buffer;
    try {
      buf = readFrom(o.fd, pos);
    } catch {
      buf = Buffer.alloc(0);
    }
    const final = !live && buf.length < MAX_READ;
    pos += o.onChunk(buf, pos, final);
    if (stopped) return;
    if (final) {
      stopped = true;
      o.onEnd();
      return;
    }
    timer = setTimeout(tick, buf.length === MAX_READ ? 0 : o.pollMs);
  }

  tick();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
