/**
 * Writes objects as events with compare-and-set against the writer's own informer view.
 * `update` is the controller-style read-modify-write: on a conflict it waits for the
 * newer event to arrive in the view, re-reads and re-decides, a bounded number of times.
 * A write of an object the informer does not follow (a proxy's Events) waits for nothing:
 * there is nothing of it for the writer to read back. Callers pass the resourceVersion
 * they read; a pod's may be its node's status record (docs/subject-layout.md), so the
 * writer expects the object subject's own last sequence and records what it had seen as
 * the record's `base`, which lets the projection keep a node's newer status.
 */
import {
  type KubeObject,
  type ObjectKey,
  type ResourceName,
  type ResourceTypes,
  type TypedKey,
  keyString,
} from '@kemu/api';
import { randomUUID } from 'node:crypto';
import type { Actor, LogEvent } from './envelope.js';
import { ConflictError } from './errors.js';
import type { EventLog } from './event-log.js';
import type { Informer } from './informer.js';
import { expectedSeq, seenSeq } from './projection.js';
import { nodeStatusSubjectFor } from './subjects.js';

/** Writes for one actor. */
export interface ObjectWriter {
  /**
   * Stores `object` if it is unchanged since `expected` — the resourceVersion the caller
   * read, or its object subject's last sequence (default: what the view has); returns it
   * as stored.
   */
  put(key: ObjectKey, object: KubeObject, expected?: number): Promise<KubeObject>;
  /** Deletes the object (stores a tombstone with its final state). */
  remove(key: ObjectKey, finalState: KubeObject, expected?: number): Promise<number>;
  /**
   * Applies `mutate` to the current object and stores the result; `mutate` returns
   * undefined for "no change needed". Retries on conflict. Returns the stored object,
   * or undefined when the object is gone or nothing changed. Typed by the key's resource.
   */
  update<R extends ResourceName>(
    key: TypedKey<R>,
    mutate: (current: ResourceTypes[R]) => ResourceTypes[R] | undefined,
    attempts?: number,
  ): Promise<ResourceTypes[R] | undefined>;
  /** `update` for a resource named at run time. */
  update(
    key: ObjectKey,
    mutate: (current: KubeObject) => KubeObject | undefined,
    attempts?: number,
  ): Promise<KubeObject | undefined>;
}

/** How a writer writes. */
export interface ObjectWriterOptions {
  /**
   * Writes Events (creates and updates) on this node's Event subjects
   * (`kemu.node.<node>.events.…`): a node's agent, whose credential may write no object
   * subject of Events. Its Events must name the node as their source.
   */
  eventsOnNode?: string;
}

/** Creates a writer whose CAS base is the informer's view. */
export function createObjectWriter(
  eventLog: EventLog,
  informer: Informer,
  actor: Actor,
  options: ObjectWriterOptions = {},
): ObjectWriter {
  function event(type: LogEvent['type'], key: ObjectKey, object: KubeObject, base: number | undefined): LogEvent {
    const uid = object.metadata.uid ?? randomUUID();
    return {
      v: 1,
      type,
      key,
      uid,
      time: new Date().toISOString(),
      actor,
      object,
      ...(base === undefined ? {} : { base }),
    };
  }

  /**
   * The object subject's sequence to expect for a write based on `expected`, and the
   * record's base (resourceVersion read; only on an update of the object in the view). A
   * pod's resourceVersion may be its node's last status record, on the other subject: a
   * writer that read the view's latest version expects the object subject's last.
   */
  function casOf(key: ObjectKey, object: KubeObject, expected: number | undefined): [number, number | undefined] {
    const objectSeq = expectedSeq(informer.view, key);
    const current = informer.view.objects.get(keyString(key));
    if (!current || (object.metadata.uid !== undefined && object.metadata.uid !== current.metadata.uid))
      return [expected ?? objectSeq, undefined];
    const version = Number(current.metadata.resourceVersion);
    if (expected === undefined || expected === version) return [objectSeq, seenSeq(informer.view, key)];
    return [expected, expected];
  }

  async function put(key: ObjectKey, object: KubeObject, expected?: number): Promise<KubeObject> {
    const onNode =
      options.eventsOnNode !== undefined && key.resource === 'events'
        ? nodeStatusSubjectFor(options.eventsOnNode, key)
        : undefined;
    const [exp, base] = onNode
      ? [expected ?? informer.view.nodeSeq.get(onNode) ?? 0, undefined]
      : casOf(key, object, expected);
    const { resourceVersion: _rv, ...meta } = object.metadata;
    const stored = { ...object, metadata: meta } as KubeObject;
    const seq = await eventLog.append(event('Put', key, stored, base), exp, onNode);
    if (informer.follows(key)) await informer.waitForSeq(seq);
    return { ...stored, metadata: { ...meta, resourceVersion: String(seq) } } as KubeObject;
  }

  async function remove(key: ObjectKey, finalState: KubeObject, expected?: number): Promise<number> {
    const [exp, base] = casOf(key, finalState, expected);
    const seq = await eventLog.append(event('Delete', key, finalState, base), exp);
    if (informer.follows(key)) await informer.waitForSeq(seq);
    return seq;
  }

  async function update(
    key: ObjectKey,
    mutate: (current: KubeObject) => KubeObject | undefined,
    attempts = 8,
  ): Promise<KubeObject | undefined> {
    for (let i = 0; ; i++) {
      const current = informer.view.objects.get(keyString(key));
      if (!current) return undefined;
      const next = mutate(structuredClone(current));
      if (!next) return undefined;
      try {
        return await put(key, next, Number(current.metadata.resourceVersion));
      } catch (err) {
        if (!(err instanceof ConflictError) || i + 1 >= attempts) throw err;
        await new Promise((r) => setTimeout(r, 20 * (i + 1)));
      }
    }
  }

  return { put, remove, update: update as ObjectWriter['update'] };
}
