/**
 * The read-only (frozen) mode of the apiserver, for `kemu replay`: the store is a fixed
 * projection of the log that never follows it, and nothing may be written. The informer
 * below is synced from the start and never changes, so lists show the moment and watches
 * send its objects and then stay open with nothing more to say; the writer refuses every
 * write, should any path reach it past the server's method check.
 */
import { methodNotAllowed } from '@kemu/api';
import { type Informer, type ObjectWriter, type View, fixedInformer } from '@kemu/eventlog';

/** Methods a read-only apiserver serves; every other one is a 405. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An informer over a fixed view: synced, no changes, every sequence up to the view's already seen. */
export function frozenInformer(view: View): Informer {
  return fixedInformer(view);
}

/** A writer that refuses every write with a 405 MethodNotAllowed Status carrying `message`. */
export function refusingWriter(message: string): ObjectWriter {
  const refuse = () => Promise.reject(methodNotAllowed(message));
  return { put: refuse, remove: refuse, update: refuse };
}
