/** msgpackr encoding of flow batches: one message holds an array of records. */
// The JS entry of msgpackr, without the native string extractor (see @kemu/eventlog's envelope.ts).
import { Packr } from 'msgpackr/pack';
import { FlowDecodeError } from './errors.js';
import type { FlowRecord } from './flow-record.js';

// Plain maps (no structure records): a reader needs no shared state with the writer.
const packr = new Packr({ useRecords: false });

/** Encodes a batch of records. */
export function encodeFlowBatch(records: readonly FlowRecord[]): Uint8Array {
  return packr.pack(records);
}

/** Decodes a batch; records of unknown kinds are dropped, a malformed batch throws FlowDecodeError. */
export function decodeFlowBatch(data: Uint8Array): FlowRecord[] {
  let value: unknown;
  try {
    value = packr.unpack(data);
  } catch (err) {
    throw new FlowDecodeError('flow batch is not msgpack', { cause: err });
  }
  if (!Array.isArray(value)) throw new FlowDecodeError('flow batch is not an array');
  return value.filter(
    (r): r is FlowRecord => typeof r === 'object' && r !== null && (r.kind === 'conn' || r.kind === 'dns'),
  );
}
