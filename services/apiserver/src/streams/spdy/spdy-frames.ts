/**
 * SPDY/3.1 framing, the part kubectl's port-forward speaks (k8s.io/apimachinery
 * httpstream/spdy over moby/spdystream): control frames SYN_STREAM, SYN_REPLY,
 * RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS and WINDOW_UPDATE, and data frames.
 * A parser that takes bytes as they come and returns whole frames; encoders for what
 * the server sends. Header blocks stay compressed here (see spdy-headers.ts). Pure.
 */

/** Control frame types. */
export const ControlType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

/** Frame flags. */
export const Flag = { fin: 0x01, unidirectional: 0x02 } as const;

/** RST_STREAM status codes. */
export const RstStatus = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5 } as const;

/** The SPDY version kubectl speaks. */
export const SPDY_VERSION = 3;

/** A parsed frame; `body` is the payload after the 8-byte frame header. */
export type SpdyFrame =
  | { kind: 'control'; type: number; flags: number; body: Buffer }
  | { kind: 'data'; streamId: number; flags: number; data: Buffer };

/** Thrown for bytes that cannot be SPDY/3. */
export class SpdyProtocolError extends Error {
  readonly code = 'SPDY_PROTOCOL_ERROR';
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

/** The largest frame accepted (spdystream's own limit is 16 MiB). */
export const MAX_FRAME_LENGTH = 16 * 1024 * 1024;

/** Splits a byte stream into frames. */
export class SpdyFrameParser {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds bytes and returns every frame now complete. */
  push(chunk: Buffer): SpdyFrame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: SpdyFrame[] = [];
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUIntBE(5, 3);
      if (length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`frame of ${length} bytes is too long`);
      if (this.buffered.length < 8 + length) break;
      const head = this.buffered.readUInt32BE(0);
      const flags = this.buffered[4] as number;
      const body = this.buffered.subarray(8, 8 + length);
      if (head & 0x80000000) {
        const version = (head >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push({ kind: 'control', type: head & 0xffff, flags, body });
      } else {
        frames.push({ kind: 'data', streamId: head & 0x7fffffff, flags, data: body });
      }
      this.buffered = this.buffered.subarray(8 + length);
    }
    return frames;
  }
}

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const out = Buffer.alloc(8 + body.length);
  out.writeUInt32BE((0x8000 | SPDY_VERSION) * 0x10000 + type, 0);
  out[4] = flags;
  out.writeUIntBE(body.length, 5, 3);
  body.copy(out, 8);
  return out;
}

/** A data frame. */
export function encodeData(streamId: number, data: Buffer, fin = false): Buffer {
  const out = Buffer.allocUnsafe(8 + data.length);
  out.writeUInt32BE(streamId & 0x7fffffff, 0);
  out[4] = fin ? Flag.fin : 0;
  out.writeUIntBE(data.length, 5, 3);
  data.copy(out, 8);
  return out;
}

/** A SYN_REPLY with an already compressed header block. */
export function encodeSynReply(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  const body = Buffer.alloc(4 + headerBlock.length);
  body.writeUInt32BE(streamId & 0x7fffffff, 0);
  headerBlock.copy(body, 4);
  return controlFrame(ControlType.synReply, fin ? Flag.fin : 0, body);
}

/** A RST_STREAM. */
export function encodeRstStream(streamId: number, status: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(streamId & 0x7fffffff, 0);
  body.writeUInt32BE(status, 4);
  return controlFrame(ControlType.rstStream, 0, body);
}

/** A PING (the answer echoes the client's id). */
export function encodePing(id: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt32BE(id >>> 0, 0);
  return controlFrame(ControlType.ping, 0, body);
}

/** A GOAWAY. */
export function encodeGoAway(lastStreamId: number, status = 0): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(lastStreamId & 0x7fffffff, 0);
  body.writeUInt32BE(status, 4);
  return controlFrame(ControlType.goAway, 0, body);
}

/** The fields of a SYN_STREAM body. */
export interface SynStream {
  streamId: number;
  associatedId: number;
  headerBlock: Buffer;
}

/** Reads a SYN_STREAM body. */
export function parseSynStream(body: Buffer): SynStream {
  if (body.length < 10) throw new SpdyProtocolError('SYN_STREAM too short');
  return {
    streamId: body.readUInt32BE(0) & 0x7fffffff,
    associatedId: body.readUInt32BE(4) & 0x7fffffff,
    headerBlock: body.subarray(10),
  };
}

/** The stream id at the start of a RST_STREAM, HEADERS or WINDOW_UPDATE body. */
export function streamIdOf(body: Buffer): number {
  if (body.length < 4) throw new SpdyProtocolError('control frame too short');
  return body.readUInt32BE(0) & 0x7fffffff;
}

/** Encodes an uncompressed header block (names lower-case, as SPDY/3 requires). */
export function encodeHeaderPairs(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(headers);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length, 0);
  parts.push(count);
  for (const [name, value] of entries) {
    for (const text of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(text, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length, 0);
      parts.push(len, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Decodes an uncompressed header block; names lower-cased, multiple values joined with `,`. */
export function decodeHeaderPairs(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  if (block.length < 4) throw new SpdyProtocolError('header block too short');
  const count = block.readUInt32BE(0);
  let at = 4;
  const read = (): string => {
    if (at + 4 > block.length) throw new SpdyProtocolError('header block truncated');
    const len = block.readUInt32BE(at);
    at += 4;
    if (at + len > block.length) throw new SpdyProtocolError('header block truncated');
    const text = block.subarray(at, at + len).toString('utf8');
    at += len;
    return text;
  };
  for (let i = 0; i < count; i++) {
    const name = read().toLowerCase();
    headers[name] = read().split('\0').join(',');
  }
  return headers;
}
