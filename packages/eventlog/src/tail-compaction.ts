/**
 * Tail compaction: an informer starting from a snapshot replays the events after it, and
 * most of that tail's bytes are rewrites of a few large objects (a 1000-endpoint
 * EndpointSlice or Endpoints written ~90 times in one rollout: 30 MB of a 32 MB tail at
 * 1000 pods). Only the last record of an object counts for the view, so within a batch
 * of the tail the earlier records of an object subject are not decoded at all when
 * skipping them provably leaves the same view:
 * - pods are never compacted (their status also comes from node subjects, and a pod
 *   record keeps a newer node status by comparing with the old object);
 * - every record of the subject in the batch must be recognisably a kemu event (its
 *   type is read from its first bytes), so a garbage record is still decoded and counted;
 * - the last record must decode, and be a Delete, a Put without `base` (both replace
 *   whatever was there), or a Put with `base` when no earlier record in the batch is a
 *   Delete and the object is in the view at the batch's start (so the update is applied
 *   in both cases; an update of a gone object is refused, projection.ts).
 * Handlers see the last change only, with the batch start's object as `old`.
 */
import { decodeEvent } from './envelope.js';
import type { StoredEvent } from './catch-up.js';
import { keyFromSubject } from './subjects.js';

/** The sequences of `batch` that need not be applied; `inView(subject)` says whether the subject's object is in the view now. */
export function supersededRecords(batch: readonly StoredEvent[], inView: (subject: string) => boolean): Set<number> {
  const bySubject = new Map<string, StoredEvent[]>();
  for (const e of batch) {
    const key = keyFromSubject(e.subject);
    if (!key || key.resource === 'pods') continue;
    const list = bySubject.get(e.subject);
    if (list) list.push(e);
    else bySubject.set(e.subject, [e]);
  }
  const skip = new Set<number>();
  for (const [subject, records] of bySubject) {
    if (records.length < 2) continue;
    const types = records.map((r) => peekType(r.data));
    if (types.includes(undefined)) continue;
    const last = records[records.length - 1] as StoredEvent;
    let base: number | undefined;
    try {
      base = decodeEvent(last.data).base;
    } catch {
      continue;
    }
    const replaces = types[types.length - 1] === 'Delete' || base === undefined;
    if (!replaces && (types.slice(0, -1).includes('Delete') || !inView(subject))) continue;
    // A record delivered twice (a consumer replaced mid-replay) is one record: only the earlier ones are superseded.
    for (const r of records) if (r.seq < last.seq) skip.add(r.seq);
  }
  return skip;
}

const FIXSTR_V = [0xa1, 0x76];
const FIXSTR_TYPE = [0xa4, 0x74, 0x79, 0x70, 0x65];
const PUT = [0xa3, 0x50, 0x75, 0x74];
const DELETE = [0xa6, 0x44, 0x65, 0x6c, 0x65, 0x74, 0x65];

/**
 * The type of a record encoded as the writers encode events (a map whose first entries
 * are `v: 1` and `type`), read from its first bytes; undefined for anything else.
 */
export function peekType(data: Uint8Array): 'Put' | 'Delete' | undefined {
  let at: number;
  const h = data[0] ?? 0;
  if (h >= 0x80 && h <= 0x8f) at = 1;
  else if (h === 0xde) at = 3;
  else return undefined;
  const match = (bytes: number[]) => {
    for (let i = 0; i < bytes.length; i++) if (data[at + i] !== bytes[i]) return false;
    at += bytes.length;
    return true;
  };
  if (!match(FIXSTR_V) || !match([0x01]) || !match(FIXSTR_TYPE)) return undefined;
  if (match(PUT)) return 'Put';
  if (match(DELETE)) return 'Delete';
  return undefined;
}
