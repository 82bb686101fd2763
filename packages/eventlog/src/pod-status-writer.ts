/**
 * How a node writes its pods' status (docs/subject-layout.md): a status record on
 * `kemu.node.<node>.pods.<ns>.<name>`, compare-and-set on that subject's last sequence,
 * carrying the pod's uid and the latest sequence of the pod it had seen (`seenSeq`); and a terminated pod's
 * final removal, a Delete on the same subject. The projection folds a record into the pod
 * only while the pod is bound to that node (projection.ts), so these are the only pod
 * writes a node's credential needs. The node-agent (and a hollow node-agent, for many
 * nodes at once) writes pod status through this and nothing else.
 */
import { type Pod, type PodStatus, type TypedKey, keyString } from '@kemu/api';
import type { Actor, LogEvent } from './envelope.js';
import { ConflictError } from './errors.js';
import type { EventLog } from './event-log.js';
import type { Informer } from './informer.js';
import { expectedNodeSeq, seenSeq } from './projection.js';
import { nodeStatusSubjectFor } from './subjects.js';

/** Status writes of the pods bound to the writer's node(s). */
export interface PodStatusWriter {
  /**
   * Read-modify-write of a bound pod's status: `next` gets the current pod and returns its
   * new status, or undefined for "no change". Retries on conflict. Returns the stored pod,
   * or undefined when the pod is gone, unbound or unchanged.
   */
  updateStatus(
    key: TypedKey<'pods'>,
    next: (current: Pod) => PodStatus | undefined,
    attempts?: number,
  ): Promise<Pod | undefined>;
  /**
   * Removes a terminated bound pod with its final status (the kubelet's final delete):
   * `final` gets the current pod and returns that status, or undefined to leave the pod.
   * Retries on conflict. Returns the record's sequence, or undefined when nothing was written.
   */
  removePod(
    key: TypedKey<'pods'>,
    final: (current: Pod) => PodStatus | undefined,
    attempts?: number,
  ): Promise<number | undefined>;
}

/** Creates the status writer of `actor`, its compare-and-set base the informer's view (which must follow the pods). */
export function createPodStatusWriter(eventLog: EventLog, informer: Informer, actor: Actor): PodStatusWriter {
  /** Writes one record built from the current pod; undefined when there is nothing to write. */
  async function write(
    type: LogEvent['type'],
    key: TypedKey<'pods'>,
    next: (current: Pod) => PodStatus | undefined,
    attempts: number,
  ): Promise<{ seq: number; pod: Pod } | undefined> {
    for (let i = 0; ; i++) {
      const current = informer.view.objects.get(keyString(key)) as Pod | undefined;
      const node = current?.spec?.nodeName;
      if (!current || !node) return undefined;
      const status = next(structuredClone(current));
      if (!status) return undefined;
      const uid = current.metadata.uid ?? '';
      const { name, namespace } = current.metadata;
      const event: LogEvent = {
        v: 1,
        type,
        key,
        uid,
        time: new Date().toISOString(),
        actor,
        object: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid }, status },
        base: seenSeq(informer.view, key),
      };
      try {
        const seq = await eventLog.append(
          event,
          expectedNodeSeq(informer.view, node, key),
          nodeStatusSubjectFor(node, key),
        );
        await informer.waitForSeq(seq);
        return { seq, pod: { ...current, status, metadata: { ...current.metadata, resourceVersion: String(seq) } } };
      } catch (err) {
        if (!(err instanceof ConflictError) || i + 1 >= attempts) throw err;
        await new Promise((r) => setTimeout(r, 20 * (i + 1)));
      }
    }
  }

  return {
    async updateStatus(key, next, attempts = 8) {
      return (await write('Put', key, next, attempts))?.pod;
    },
    async removePod(key, final, attempts = 10) {
      return (await write('Delete', key, final, attempts))?.seq;
    },
  };
}
