/**
 * Stdin of containers with `stdin: true` (what `kubectl run -i` and `attach` need). The
 * container reads a FIFO under its pod directory (its monitor opens it read-only); the node-agent holds a write end open
 * from start on, so the container does not see EOF while nobody is attached, and attach
 * sessions write through it. Closing that end (stdinOnce, after the first attach) gives
 * the container EOF. The process stays detached from the node-agent: a restarted agent
 * has no write end (the container has seen EOF then) but can still open the FIFO.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdirSync, openSync, rmSync, write } from 'node:fs';
import { dirname } from 'node:path';

/** The stdin FIFOs of this node's containers. */
export interface ContainerStdin {
  /** Creates the FIFO of a container instance about to start and holds a write end; returns its path. */
  prepare(fifoPath: string): string;
  /** Writes to a container's stdin (in order with earlier writes). */
  write(fifoPath: string, data: Uint8Array): Promise<void>;
  /** Closes the held write end: the container reads EOF. */
  close(fifoPath: string): void;
  /** Closes the write ends of FIFOs not in `paths` (their pods are gone). */
  retain(paths: ReadonlySet<string>): void;
}

/** The container's stdin cannot be written. */
export class StdinUnavailableError extends Error {
  override name = 'StdinUnavailableError';
  readonly code = 'StdinUnavailable';
}

function isFifo(path: string): boolean {
  try {
    return lstatSync(path).isFIFO();
  } catch {
    return false;
  }
}

function writeAll(fd: number, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    let off = 0;
    const next = () =>
      write(fd, data, off, data.length - off, null, (err, n) => {
        if (err) return reject(err);
        off += n;
        if (off < data.length) next();
        else resolve();
      });
    if (data.length === 0) resolve();
    else next();
  });
}

/** Creates the registry of held write ends. */
export function createContainerStdin(): ContainerStdin {
  const held = new Map<string, number>();
  const chains = new Map<string, Promise<void>>();

  function release(path: string): void {
    const fd = held.get(path);
    if (fd === undefined) return;
    held.delete(path);
    try {
      closeSync(fd);
    } catch {
      // Closed already.
    }
  }

  function writer(path: string): number {
    const fd = held.get(path);
    if (fd !== undefined) return fd;
    try {
      // No held end (the agent restarted): write only while the container still reads.
      const opened = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      held.set(path, opened);
      return opened;
    } catch (err) {
      throw new StdinUnavailableError(`stdin of the container is closed: ${(err as Error).message}`, { cause: err });
    }
  }

  return {
    prepare(path) {
      release(path);
      mkdirSync(dirname(path), { recursive: true });
      if (!isFifo(path)) {
        rmSync(path, { force: true });
        execFileSync('mkfifo', ['-m', '600', path]);
      }
      // O_RDWR never blocks on a FIFO and keeps a writer present.
      held.set(path, openSync(path, constants.O_RDWR));
      return path;
    },
    write(path, data) {
      const prev = chains.get(path) ?? Promise.resolve();
      const next = prev.catch(() => undefined).then(() => writeAll(writer(path), data));
      chains.set(path, next);
      void next.finally(() => {
        if (chains.get(path) === next) chains.delete(path);
      });
      return next;
    },
    close(path) {
      const prev = chains.get(path) ?? Promise.resolve();
      void prev.catch(() => undefined).then(() => release(path));
    },
    retain(paths) {
      for (const p of [...held.keys()]) if (!paths.has(p)) release(p);
    },
  };
}
