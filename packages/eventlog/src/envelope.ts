/**
 * The event envelope: what every message in the stream holds, msgpackr-encoded.
 * `v` is the schema version; a reader refuses versions it does not know instead of
 * guessing. A Put carries the whole object as the writer wants it stored; a Delete
 * carries the object's final state.
 *
 * Decoded with msgpackr's JS string reader, not its native extractor (msgpackr-extract,
 * which `import 'msgpackr'` loads for the whole process): the extractor reads a record's
 * strings as one string and hands out slices of it, so every object kept in a view held
 * its whole record as a latin1 string besides itself (~6 KB a pod in the controller at
 * 1000 pods, 1.4 KB more heap per decoded pod than flat strings). Every module encoding
 * or decoding with msgpackr imports `msgpackr/pack` (Node's condition maps it to the
 * entry without the extractor) so nothing switches the extractor on; the JS reader costs
 * ~30% more CPU per record (~27 vs ~21 µs for a 1.6 KB pod). A decoded object's short
 * strings are then shared with earlier ones (string-pool.ts).
 */
import type { KubeObject, ObjectKey } from '@kemu/api';
import { Packr } from 'msgpackr/pack';
import { EventDecodeError } from './errors.js';
import { internStrings } from './string-pool.js';

/** Schema version written by this code. */
export const SCHEMA_VERSION = 1;

/** Who wrote an event. */
export interface Actor {
  component: string;
  node?: string;
}

/** One change to one object. */
export interface LogEvent {
  v: number;
  type: 'Put' | 'Delete';
  key: ObjectKey;
  uid: string;
  /** RFC 3339 time the writer made the change. */
  time: string;
  actor: Actor;
  object: KubeObject;
  /**
   * The latest sequence of the object the writer had seen (its resourceVersion read, or a
   * later refused record on a pod's node subject: projection.ts `seenSeq`), on updates;
   * absent on creates and in records written before it existed. The projection uses it to
   * tell a record built on a pod status that a node has replaced since.
   */
  base?: number;
}

const packr = new Packr({ useRecords: false, moreTypes: false });

/** Encodes an event for the stream. */
export function encodeEvent(event: LogEvent): Uint8Array {
  return packr.pack(event);
}

/** Decodes a message body; throws EventDecodeError for anything that is not a known event. */
export function decodeEvent(data: Uint8Array): LogEvent {
  let value: unknown;
  try {
    value = packr.unpack(data);
  } catch (err) {
    throw new EventDecodeError('undecodable msgpack body', { cause: err });
  }
  const e = value as Partial<LogEvent> | null;
  if (!e || typeof e !== 'object') throw new EventDecodeError('event is not a map');
  if (e.v !== SCHEMA_VERSION) throw new EventDecodeError(`unknown schema version ${String(e.v)}`);
  if (e.type !== 'Put' && e.type !== 'Delete') throw new EventDecodeError(`unknown event type ${String(e.type)}`);
  if (!e.key || !e.object || typeof e.object !== 'object') throw new EventDecodeError('event without key or object');
  const { resource, namespace, name } = e.key as Partial<ObjectKey>;
  if (typeof resource !== 'string' || typeof namespace !== 'string' || typeof name !== 'string' || name === '')
    throw new EventDecodeError('event with a malformed key');
  if (e.base !== undefined && (!Number.isInteger(e.base) || e.base < 0))
    throw new EventDecodeError('event with a malformed base sequence');
  const meta = (e.object as { metadata?: unknown }).metadata;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta) || (meta as { name?: unknown }).name !== name)
    throw new EventDecodeError("event whose object's metadata does not name its key");
  internStrings(e.object);
  return e as LogEvent;
}
