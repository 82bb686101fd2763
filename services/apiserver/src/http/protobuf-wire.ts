/**
 * A small protobuf (proto2 wire format) decoder driven by a schema table: enough to read
 * the Kubernetes protobuf bodies that `kubectl create namespace|deployment|service`
 * send. Scalars follow the JSON `omitempty` convention (zero values dropped) unless the
 * field is a pointer in Go (`keepZero`), since gogo-protobuf writes every non-pointer field.
 */

/** A field's type: a scalar, a Kubernetes special, a nested message, or a map. */
export type WireType =
  | 'string'
  | 'bytes'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'time'
  | 'intOrString'
  | 'quantity'
  | { message: MessageSchema }
  | { map: WireType };

/** One field of a message. */
export interface FieldSchema {
  name: string;
  type: WireType;
  repeated?: boolean;
  /** Keep a zero value (Go pointer fields: `replicas: 0` means zero, not "unset"). */
  keepZero?: boolean;
}

/** Field number → field. */
export type MessageSchema = Record<number, FieldSchema>;

/** A body that is not valid protobuf. */
export class ProtobufDecodeError extends Error {
  override name = 'ProtobufDecodeError';
  readonly code = 'ProtobufDecode';
}

interface RawField {
  num: number;
  wire: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: { i: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos.i >= buf.length) throw new ProtobufDecodeError('truncated varint');
    const b = buf[pos.i++] as number;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
    if (shift > 70n) throw new ProtobufDecodeError('varint too long');
  }
}

/** Splits a message into its raw fields. */
export function readFields(buf: Uint8Array): RawField[] {
  const out: RawField[] = [];
  const pos = { i: 0 };
  while (pos.i < buf.length) {
    const tag = Number(readVarint(buf, pos));
    const num = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) out.push({ num, wire, varint: readVarint(buf, pos) });
    else if (wire === 2) {
      const len = Number(readVarint(buf, pos));
      if (pos.i + len > buf.length) throw new ProtobufDecodeError('truncated length-delimited field');
      out.push({ num, wire, bytes: buf.subarray(pos.i, pos.i + len) });
      pos.i += len;
    } else if (wire === 1) pos.i += 8;
    else if (wire === 5) pos.i += 4;
    else throw new ProtobufDecodeError(`unsupported wire type ${wire}`);
  }
  return out;
}

const text = new TextDecoder();

function signed(v: bigint, bits: 32 | 64): number {
  return Number(BigInt.asIntN(bits, v));
}

function decodeValue(type: WireType, f: RawField): unknown {
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        return text.decode(f.bytes ?? new Uint8Array());
      case 'bytes':
        return Buffer.from(f.bytes ?? new Uint8Array()).toString('base64');
      case 'int32':
        return signed(f.varint ?? 0n, 32);
      case 'int64':
        return signed(f.varint ?? 0n, 64);
      case 'bool':
        return (f.varint ?? 0n) !== 0n;
      case 'time': {
        const t = decodeMessage(f.bytes ?? new Uint8Array(), { 1: { name: 's', type: 'int64' } }) as { s?: number };
        return t.s ? new Date(t.s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
      }
      case 'intOrString': {
        const v = decodeMessage(f.bytes ?? new Uint8Array(), {
          1: { name: 'type', type: 'int64' },
          2: { name: 'int', type: 'int32' },
          3: { name: 'str', type: 'string' },
        }) as { type?: number; int?: number; str?: string };
        return v.type === 1 ? (v.str ?? '') : (v.int ?? 0);
      }
      case 'quantity':
        return (
          (decodeMessage(f.bytes ?? new Uint8Array(), { 1: { name: 'q', type: 'string' } }) as { q?: string }).q ?? '0'
        );
    }
  }
  if ('message' in type) return decodeMessage(f.bytes ?? new Uint8Array(), type.message);
  return undefined;
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  return typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0;
}

/** Decodes a message by its schema; unknown field numbers are skipped. */
export function decodeMessage(buf: Uint8Array, schema: MessageSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of readFields(buf)) {
    const def = schema[f.num];
    if (!def) continue;
    if (typeof def.type === 'object' && 'map' in def.type) {
      const entry = decodeMessage(f.bytes ?? new Uint8Array(), {
        1: { name: 'k', type: 'string', keepZero: true },
        2: { name: 'v', type: def.type.map, keepZero: true },
      });
      const map = (out[def.name] as Record<string, unknown> | undefined) ?? {};
      map[String(entry.k ?? '')] = entry.v ?? '';
      out[def.name] = map;
      continue;
    }
    const value = decodeValue(def.type, f);
    if (def.repeated) {
      const list = (out[def.name] as unknown[] | undefined) ?? [];
      list.push(value);
      out[def.name] = list;
    } else if (def.keepZero ? value !== undefined : !isZero(value)) {
      out[def.name] = value;
    }
  }
  return out;
}
