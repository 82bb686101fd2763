/** Waiting for a file to appear in a directory: inotify (fs.watch) for speed, a poll as the safety net. */
import { watch } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

async function present(dir: string, names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    try {
      await access(join(dir, name));
      return name;
    } catch {
      // Not yet.
    }
  }
  return undefined;
}

/**
 * Resolves with the first of `names` present in `dir`, or undefined once `timeoutMs` passed
 * or `check` (called on every poll) returns true, meaning waiting is pointless.
 */
export function waitForFile(
  dir: string,
  names: readonly string[],
  options: { timeoutMs?: number; pollMs?: number; check?: () => Promise<boolean>; signal?: AbortSignal } = {},
): Promise<string | undefined> {
  return new Promise((resolve) => {
    let done = false;
    let watcher: ReturnType<typeof watch> | undefined;
    const finish = (name: string | undefined) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      watcher?.close();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(name);
    };
    const look = () => {
      void present(dir, names).then((name) => {
        if (name !== undefined) finish(name);
      });
    };
    const onAbort = () => finish(undefined);
    options.signal?.addEventListener('abort', onAbort);
    try {
      // Only events naming a wanted file (or none) are worth a look: a container's
      // directory sees many writes (runtime log, pid files) while it starts.
      watcher = watch(dir, (_event, filename) => {
        if (filename === null || names.includes(filename.toString())) look();
      });
      watcher.on('error', () => undefined);
    } catch {
      // The directory is gone: the poll below finds nothing and check() decides.
    }
    const poll = setInterval(() => {
      void present(dir, names).then(async (name) => {
        if (name !== undefined) finish(name);
        else if (options.check && (await options.check())) finish(await present(dir, names));
      });
    }, options.pollMs ?? 500);
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => finish(undefined), options.timeoutMs);
    look();
  });
}
