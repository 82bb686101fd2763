/**
 * Event-log snapshots: the projection's state plus the stream sequence it covers, so a
 * process starts from the newest snapshot and consumes only the events after it instead
 * of replaying the whole log. Kubernetes has no analogue (etcd compaction plus a relist is
 * the nearest); kemu calls them event-log snapshots.
 *
 * A snapshot is msgpackr-encoded like the events and stored as one object of the JetStream
 * Object Store `KEMU_SNAPSHOTS`, named `view-<seq>` (zero-padded so names sort by
 * sequence), with the sequence, the time the log stored that event and the stream's
 * creation time in its metadata: a snapshot of an earlier stream of the same name (one
 * deleted and made again) is never a base.
 * The Object Store checks each object's SHA-256 digest on read; a snapshot that does not
 * read or decode is skipped for the next older one. The digest is node:crypto's (the
 * library's default is pure JS, ~70 ms per MB, paid by every process starting from a
 * snapshot), and a body is read into one buffer of its stored size (the library's getBlob
 * grows a buffer by copies).
 */
import type { KubeObject } from '@kemu/api';
import type { Logger } from '@kemu/log';
import { StorageType } from '@nats-io/jetstream';
import { type ObjectInfo, type ObjectStore, Objm, setSha256Backend } from '@nats-io/obj';
// The JS entry of msgpackr, not the native string extractor: see envelope.ts.
import { Packr } from 'msgpackr/pack';
import type { EventLog } from './event-log.js';
import { type View, createView } from './projection.js';
import { concatChunks, encodeSnapshotChunks, snapshotChunks } from './snapshot-chunks.js';
import { internStrings } from './string-pool.js';
import { STREAM } from './subjects.js';

/** The Object Store bucket holding the snapshots. */
export const SNAPSHOT_BUCKET = 'KEMU_SNAPSHOTS';
/** Version of the snapshot body written by this code; other versions are not read. */
export const SNAPSHOT_VERSION = 1;
const NAME_PREFIX = 'view-';

/** A snapshot as stored: what it covers, without its body. */
export interface SnapshotInfo {
  name: string;
  /** The last stream sequence the snapshot's view has applied. */
  seq: number;
  /** When the log stored the event at `seq` (undefined if unknown). */
  time: Date | undefined;
  /** When the stream it was taken from was created (JetStream's `created`), which tells streams of one name apart. */
  stream: string | undefined;
  size: number;
}

/** A snapshot read back: its view (fresh maps, owned by the caller) and what it covers. */
export interface LoadedSnapshot extends SnapshotInfo {
  view: View;
}

/** A snapshot's body did not decode. */
export class SnapshotDecodeError extends Error {
  override name = 'SnapshotDecodeError';
}

/** The log has lost events that no snapshot covers: a view built from it would be wrong. */
export class SnapshotGapError extends Error {
  override name = 'SnapshotGapError';
}

interface SnapshotBody {
  v: number;
  seq: number;
  objects: [string, KubeObject][];
  lastSeq: [string, number][];
  /** The node status subjects' last sequences (absent in snapshots written before they existed). */
  nodeSeq?: [string, number][];
}

const packr = new Packr({ useRecords: false, moreTypes: false });

setSha256Backend('native');

/** Encodes a view (synchronously, so it is the view as of `view.seq`) as one SnapshotBody. */
export function encodeSnapshot(view: View): Uint8Array {
  return concatChunks(encodeSnapshotChunks(view, SNAPSHOT_VERSION));
}

/** Decodes a snapshot body into a fresh view; throws SnapshotDecodeError for anything else. */
export function decodeSnapshot(data: Uint8Array): View {
  let value: unknown;
  try {
    value = packr.unpack(data);
  } catch (err) {
    throw new SnapshotDecodeError('undecodable msgpack body', { cause: err });
  }
  const b = value as Partial<SnapshotBody> | null;
  if (!b || typeof b !== 'object') throw new SnapshotDecodeError('snapshot is not a map');
  if (b.v !== SNAPSHOT_VERSION) throw new SnapshotDecodeError(`unknown snapshot version ${String(b.v)}`);
  if (!Number.isInteger(b.seq) || (b.seq as number) < 0) throw new SnapshotDecodeError('snapshot without a sequence');
  if (!Array.isArray(b.objects) || !Array.isArray(b.lastSeq)) throw new SnapshotDecodeError('snapshot without objects');
  const view = createView();
  view.seq = b.seq as number;
  for (const entry of b.objects) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !entry[1] || typeof entry[1] !== 'object')
      throw new SnapshotDecodeError('malformed object entry');
    view.objects.set(entry[0], internStrings(entry[1]));
  }
  for (const entry of b.lastSeq) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isInteger(entry[1]))
      throw new SnapshotDecodeError('malformed sequence entry');
    view.lastSeq.set(entry[0], entry[1]);
  }
  if (b.nodeSeq !== undefined && !Array.isArray(b.nodeSeq)) throw new SnapshotDecodeError('malformed node sequences');
  for (const entry of b.nodeSeq ?? []) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isInteger(entry[1]))
      throw new SnapshotDecodeError('malformed node sequence entry');
    view.nodeSeq.set(entry[0], entry[1]);
  }
  return view;
}

/** The object name of the snapshot at `seq`. */
export function snapshotName(seq: number): string {
  return `${NAME_PREFIX}${String(seq).padStart(15, '0')}`;
}

function infoOf(o: ObjectInfo): SnapshotInfo | undefined {
  if (o.deleted || !o.name.startsWith(NAME_PREFIX)) return undefined;
  const seq = Number(o.metadata?.seq ?? o.name.slice(NAME_PREFIX.length));
  if (!Number.isInteger(seq) || seq < 0) return undefined;
  const t = o.metadata?.time ? new Date(o.metadata.time) : undefined;
  const time = t && !Number.isNaN(t.getTime()) ? t : undefined;
  return { name: o.name, seq, time, stream: o.metadata?.stream, size: o.size };
}

/** The snapshots of the log, read and written. */
export interface SnapshotStore {
  /** The stored snapshots, newest first. */
  list(): Promise<SnapshotInfo[]>;
  /**
   * Stores the view as a snapshot (encoded at once), then removes those of earlier streams
   * and all but the newest `keep` (default 3) of this one; returns what it stored.
   */
  write(view: View, options?: { keep?: number }): Promise<SnapshotInfo>;
  /** Reads one snapshot; throws if it does not read or decode. */
  read(info: SnapshotInfo): Promise<LoadedSnapshot>;
  /** Removes one snapshot. */
  remove(name: string): Promise<void>;
}

/**
 * Opens the snapshot bucket. With `create`, makes it when missing (replicas as the event
 * stream's); without, resolves undefined when there is none yet.
 */
export async function openSnapshotStore(
  eventLog: EventLog,
  options: { create?: boolean } = {},
): Promise<SnapshotStore | undefined> {
  const objm = new Objm(eventLog.js);
  let os: ObjectStore;
  if (options.create) {
    const stream = await eventLog.jsm.streams.info(STREAM);
    os = await objm.create(SNAPSHOT_BUCKET, {
      storage: StorageType.File,
      replicas: stream.config.num_replicas,
      description: 'kemu event-log snapshots: the projection and the stream sequence it covers',
    });
  } else {
    try {
      os = await objm.open(SNAPSHOT_BUCKET);
    } catch {
      return undefined;
    }
  }
  return snapshotStore(eventLog, os);
}

function snapshotStore(eventLog: EventLog, os: ObjectStore): SnapshotStore {
  async function list(): Promise<SnapshotInfo[]> {
    const out: SnapshotInfo[] = [];
    for (const o of await os.list()) {
      const i = infoOf(o);
      if (i) out.push(i);
    }
    return out.sort((a, b) => b.seq - a.seq);
  }

  async function eventTime(seq: number): Promise<Date | undefined> {
    if (seq === 0) return undefined;
    try {
      const m = await eventLog.jsm.streams.getMessage(STREAM, { seq });
      return m?.time;
    } catch {
      return undefined;
    }
  }

  return {
    list,
    async write(view, opts = {}) {
      const seq = view.seq;
      // Taken now (the view moves on while it uploads), encoded chunk by chunk as the upload pulls (snapshot-chunks.ts).
      const chunks = snapshotChunks(view, SNAPSHOT_VERSION);
      const time = await eventTime(seq);
      const stream = (await eventLog.jsm.streams.info(STREAM)).created;
      const name = snapshotName(seq);
      const metadata: Record<string, string> = { seq: String(seq), stream };
      if (time) metadata.time = time.toISOString();
      const o = await os.put(
        { name, metadata, description: `kemu view at stream sequence ${seq}` },
        chunkStream(chunks),
      );
      const keep = Math.max(1, opts.keep ?? 3);
      const ours = (await list()).filter((i) => i.stream === stream || i.name === name);
      const others = (await list()).filter((i) => i.stream !== stream && i.name !== name);
      for (const old of [...others, ...ours.slice(keep)]) await os.delete(old.name);
      return { name, seq, time, stream, size: o.size };
    },
    async read(info) {
      const data = await readObject(os, info.name);
      if (!data) throw new SnapshotDecodeError(`snapshot ${info.name} is gone`);
      const view = decodeSnapshot(data);
      if (view.seq !== info.seq)
        throw new SnapshotDecodeError(`snapshot ${info.name} holds sequence ${view.seq}, not ${info.seq}`);
      return { ...info, view };
    },
    async remove(name) {
      await os.delete(name);
    },
  };
}

/** A stream of the chunks, each encoded when the reader asks for it. */
function chunkStream(chunks: Iterator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream(
    {
      pull(controller) {
        const next = chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    },
    { highWaterMark: 0 },
  );
}

/** An object's body in one buffer (sized from its info, grown only if it lies); null when it is gone. */
async function readObject(os: ObjectStore, name: string): Promise<Uint8Array | null> {
  const r = await os.get(name);
  if (!r) return null;
  let out = new Uint8Array(r.info.size);
  let at = 0;
  const reader = r.data.getReader();
  for (;;) {
    // Rejects when the digest does not match.
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > out.length) {
      const bigger = new Uint8Array(Math.max(out.length * 2, at + value.length));
      bigger.set(out.subarray(0, at));
      out = bigger;
    }
    out.set(value, at);
    at += value.length;
  }
  return out.subarray(0, at);
}

/** Which snapshot a reader may start from. */
export interface LoadSnapshotOptions {
  log: Logger;
  /** Only snapshots at or below this sequence. */
  atMostSeq?: number;
  /** Only snapshots whose event time is at or before this time. */
  atMostTime?: Date;
  /** Only snapshots of the stream created at this time (StreamInfo.created). */
  stream?: string;
}

/**
 * Reads the newest snapshot that reads and decodes (within the bounds); a broken one is
 * logged and skipped for the next older. Resolves undefined when there is none.
 */
export async function loadNewestSnapshot(
  eventLog: EventLog,
  options: LoadSnapshotOptions,
): Promise<LoadedSnapshot | undefined> {
  const { log } = options;
  let store: SnapshotStore | undefined;
  let infos: SnapshotInfo[];
  try {
    store = await openSnapshotStore(eventLog);
    infos = store ? await store.list() : [];
  } catch (err) {
    log.warn({ err }, 'event-log snapshots unreadable; replaying the log from the start');
    return undefined;
  }
  for (const info of infos) {
    if (options.stream !== undefined && info.stream !== options.stream) {
      log.warn({ snapshot: info.name, seq: info.seq }, 'skipping event-log snapshot of an earlier stream');
      continue;
    }
    if (options.atMostSeq !== undefined && info.seq > options.atMostSeq) continue;
    if (options.atMostTime !== undefined && (!info.time || info.time.getTime() > options.atMostTime.getTime()))
      continue;
    try {
      return await (store as SnapshotStore).read(info);
    } catch (err) {
      log.warn({ err, snapshot: info.name, seq: info.seq }, 'skipping unreadable event-log snapshot');
    }
  }
  return undefined;
}

/**
 * The sequence to consume from and the view to start with: the newest readable snapshot
 * when the log still holds every event after it, else an empty view from the first
 * event. Throws SnapshotGapError when the log has purged events no snapshot covers.
 */
export async function startingPoint(
  eventLog: EventLog,
  options: LoadSnapshotOptions & { useSnapshots?: boolean },
): Promise<{ view: View; snapshot: SnapshotInfo | undefined }> {
  const { log } = options;
  const stream = await eventLog.jsm.streams.info(STREAM);
  // An empty stream reports first_seq = last_seq + 1 (or 0 when never written).
  const firstSeq = stream.state.first_seq;
  // A snapshot past the log's end belongs to an earlier life of the stream: never a base.
  const atMostSeq = Math.min(options.atMostSeq ?? Number.POSITIVE_INFINITY, stream.state.last_seq);
  const snap =
    options.useSnapshots === false
      ? undefined
      : await loadNewestSnapshot(eventLog, { ...options, atMostSeq, stream: stream.created });
  if (snap && snap.seq + 1 >= firstSeq) {
    log.info({ snapshot: snap.name, seq: snap.seq, firstSeq }, 'starting from event-log snapshot');
    const { view, ...info } = snap;
    return { view, snapshot: info };
  }
  if (firstSeq > 1) {
    throw new SnapshotGapError(
      `the event log starts at sequence ${firstSeq} and no readable snapshot covers the events before it` +
        (snap ? ` (newest readable snapshot: ${snap.seq})` : ''),
    );
  }
  if (options.useSnapshots !== false) log.info('no event-log snapshot; replaying the log from the start');
  return { view: createView(), snapshot: undefined };
}
