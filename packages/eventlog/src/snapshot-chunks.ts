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

/** Encodes a view's snapshot body (synchronously, so it is the view as of `view.seq`) as chunks. */
export function encodeSnapshotChunks(view: View, version: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const chunk = new Uint8Array(CHUNK);
  let used = 0;
  const flush = () => {
    if (used > 0) chunks.push(chunk.slice(0, used));
    used = 0;
  };
  const put = (bytes: Uint8Array) => {
    if (used + bytes.length > CHUNK) flush();
    if (bytes.length > CHUNK) chunks.push(bytes.slice());
    else {
      chunk.set(bytes, used);
      used += bytes.length;
    }
  };
  const entries = <V>(name: string, map: ReadonlyMap<string, V>) => {
    put(packr.pack(name));
    put(arrayHeader(map.size));
    for (const entry of map) put(packr.pack(entry));
  };
  put(Uint8Array.of(0x85)); // a map of 5 fields
  put(packr.pack('v'));
  put(packr.pack(version));
  put(packr.pack('seq'));
  put(packr.pack(view.seq));
  entries<KubeObject>('objects', view.objects);
  entries('lastSeq', view.lastSeq);
  entries('nodeSeq', view.nodeSeq);
  flush();
  return chunks;
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
