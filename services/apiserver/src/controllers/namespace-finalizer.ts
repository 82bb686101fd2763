/**
 * Empties and removes namespaces that are being deleted, as kube-controller-manager's
 * namespace controller does: every object in a Terminating namespace is deleted (pods
 * gracefully, so a bound pod waits for its node-agent), and once nothing is left the
 * namespace itself is removed. Sweeps are coalesced and run after changes that touch a
 * Terminating namespace, and once at start; concurrent apiservers are safe because every
 * write is a compare-and-set and 404s are ignored.
 */
import { ApiError, keyString, resourceByName, resourceTypes } from '@kemu/api';
import { listObjects } from '@kemu/eventlog';
import type { ApiContext } from '../context.js';
import { deleteObject } from '../verbs/object-delete.js';
import type { WatchChange } from '../verbs/watch-filter.js';

const namespaceKey = (name: string): string => keyString({ resource: 'namespaces', namespace: '', name });

/** The finalizer loop. */
export interface NamespaceFinalizer {
  /** Feeds a change; sweeps soon when it concerns a Terminating namespace. */
  onChange(change: WatchChange): void;
  /** Runs one sweep now. */
  sweep(): Promise<void>;
  stop(): void;
}

/** Creates the loop over the context's view. */
export function createNamespaceFinalizer(ctx: ApiContext): NamespaceFinalizer {
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function terminating(): string[] {
    return listObjects(ctx.informer.view, 'namespaces')
      .filter((ns) => ns.metadata.deletionTimestamp)
      .map((ns) => ns.metadata.name);
  }

  async function finalize(namespace: string): Promise<void> {
    let remaining = 0;
    for (const type of resourceTypes) {
      if (!type.namespaced) continue;
      for (const obj of listObjects(ctx.informer.view, type.resource, namespace)) {
        remaining++;
        if (obj.metadata.deletionTimestamp) continue;
        try {
          await deleteObject(ctx, type, namespace, obj.metadata.name, { propagationPolicy: 'Background' });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404))
            ctx.log.warn({ err, namespace, name: obj.metadata.name }, 'namespace content delete failed');
        }
      }
    }
    if (remaining > 0) return;
    const ns = ctx.informer.view.objects.get(namespaceKey(namespace));
    if (!ns) return;
    try {
      await ctx.writer.remove(
        { resource: 'namespaces', namespace: '', name: namespace },
        ns,
        Number(ns.metadata.resourceVersion),
      );
      ctx.log.info({ namespace }, 'namespace removed');
    } catch (err) {
      ctx.log.debug({ err, namespace }, 'namespace removal lost a race, will sweep again');
      again = true;
    }
  }

  async function sweep(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        for (const ns of terminating()) await finalize(ns);
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      sweep().catch((err) => ctx.log.error({ err }, 'namespace sweep failed'));
    }, 20);
  }

  return {
    onChange(change) {
      const type = resourceByName(change.key.resource);
      const ns = type?.namespaced
        ? change.key.namespace
        : change.key.resource === 'namespaces'
          ? change.key.name
          : undefined;
      if (ns === undefined) return;
      const nsObj = ctx.informer.view.objects.get(namespaceKey(ns));
      if (nsObj?.metadata.deletionTimestamp) schedule();
    },
    sweep,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
