/**
 * A snapshot body encoded entry by entry into right-sized chunks. msgpack concatenates:
 * the chunks together are the same map `{ v, seq, objects, lastSeq, nodeSeq }` that one
 * `pack` of the whole body gives, so readers decode them as before. Packing the body in
 * one call made msgpackr's encode buffer, which every Packr of the process shares and
 * never shrinks, grow to four times the largest snapshot (12 MiB held for good by the
 * controller at 1000 pods, and a new one as large each time it filled up); entry by entry
 * it stays at the size of one object.
 */
import type { KubeObject } from '@kemu/api';
// The JS entry of msgpackr, not the native string extractor: see envelope.ts.
import { Packr } from 'msgpackr/pack';
import type { View } from './projection.js';

const packr = new Packr({ useRecords: false, moreTypes: false });

/** Bytes per chunk (the Object Store cuts its own chunks; this only bounds the copies). */
const CHUNK = 256 * 1024;

/** msgpack header of an array of `n` items. */
function arrayHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(0x90 | n);
  if (n < 0x10000) return Uint8Array.of(0xdc, n >> 8, n & 0xff);
  return Uint8Array.of(0xdd, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

/**
 * The view's snapshot body as chunks encoded one at a time as they are pulled: what it
 * holds is taken now (synchronously, the view as of `view.seq`: its entries, not copies —
 * the projection replaces an object on every change and never changes one in place), so
 * an upload holds one chunk of the body at a time, not the whole body (40 MB of
 * ArrayBuffers at 10 000 pods, written every few seconds during a rollout).
 */
export function snapshotChunks(view: View, version: number): Iterator<Uint8Array> {
  const objects = [...view.objects];
  const lastSeq = [...view.lastSeq];
  const nodeSeq = [...view.nodeSeq];
  return chunked(pieces(view.seq, version, objects, lastSeq, nodeSeq));
}

/** Encodes a view's snapshot body (synchronously, so it is the view as of `view.seq`) as chunks. */
export function encodeSnapshotChunks(view: View, version: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const it = snapshotChunks(view, version);
  for (let next = it.next(); !next.done; next = it.next()) chunks.push(next.value);
  return chunks;
}

// The body's msgpack pieces; each is a view of msgpackr's shared buffer, valid until the next pack.
function* pieces(
  seq: number,
  version: number,
  ...sections: [[string, KubeObject][], [string, number][], [string, number][]]
): Generator<Uint8Array> {
  yield Uint8Array.of(0x85); // a map of 5 fields
  yield packr.pack('v');
  yield packr.pack(version);
  yield packr.pack('seq');
  yield packr.pack(seq);
  const names = ['objects', 'lastSeq', 'nodeSeq'];
  for (let i = 0; i < sections.length; i++) {
    const entries = sections[i] as [string, unknown][];
    yield packr.pack(names[i]);
    yield arrayHeader(entries.length);
    for (const entry of entries) yield packr.pack(entry);
  }
}

// Pieces copied into CHUNK-sized chunks; a piece is copied before the generator yields, as
// other packs may reuse msgpackr's buffer while it waits.
function* chunked(from: Iterator<Uint8Array>): Generator<Uint8Array> {
  const chunk = new Uint8Array(CHUNK);
  let used = 0;
  for (let next = from.next(); !next.done; next = from.next()) {
    const bytes = next.value;
    if (bytes.length > CHUNK) {
      const big = bytes.slice();
      if (used > 0) yield chunk.slice(0, used);
      used = 0;
      yield big;
    } else if (used + bytes.length > CHUNK) {
      const full = chunk.slice(0, used);
      chunk.set(bytes, 0);
      used = bytes.length;
      yield full;
    } else {
      chunk.set(bytes, used);
      used += bytes.length;
    }
  }
  if (used > 0) yield chunk.slice(0, used);
}

/** The chunks as one buffer. */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
