import { describe, expect, it } from 'vitest';
import { eventually } from '@kemu/testkit';
import { type SpdyStream, createSpdyConnection } from './spdy-connection.js';
import {
  ControlType,
  Flag,
  SpdyFrameParser,
  type SpdyFrame,
  decodeHeaderPairs,
  encodeData,
  encodeHeaderPairs,
} from './spdy-frames.js';
import { SPDY_DICTIONARY, createHeaderDeflater, createHeaderInflater } from './spdy-headers.js';

/** Adler-32 (zlib's dictionary id). */
function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A SYN_STREAM as spdystream's client writes it. */
function synStream(id: number, block: Buffer, fin = false): Buffer {
  const body = Buffer.alloc(10 + block.length);
  body.writeUInt32BE(id, 0);
  block.copy(body, 10);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(0x80030000 + ControlType.synStream, 0);
  head[4] = fin ? Flag.fin : 0;
  head.writeUIntBE(body.length, 5, 3);
  return Buffer.concat([head, body]);
}

function ping(id: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt32BE(0x80030000 + ControlType.ping, 0);
  out.writeUIntBE(4, 5, 3);
  out.writeUInt32BE(id, 8);
  return out;
}

describe('SPDY dictionary', () => {
  it('is the 1423-byte SPDY/3 dictionary (zlib dictionary id 0xe3c6a7c2)', () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(adler32(SPDY_DICTIONARY)).toBe(0xe3c6a7c2);
  });
});

describe('createSpdyConnection', () => {
  it('accepts client streams with their headers, replies, relays data both ways and echoes pings', async () => {
    const written: Buffer[] = [];
    const streams: SpdyStream[] = [];
    const received: string[] = [];
    const conn = createSpdyConnection({
      transport: { write: (b) => written.push(b), close: () => undefined },
      onStream: (s) => {
        streams.push(s);
        s.onData((d) => received.push(`${s.id}:${d.toString()}`));
      },
    });
    const clientDeflate = createHeaderDeflater();
    const errorHeaders = await clientDeflate.run(
      encodeHeaderPairs({ streamType: 'error', port: '8080', requestID: '0' }),
    );
    const dataHeaders = await clientDeflate.run(
      encodeHeaderPairs({ streamType: 'data', port: '8080', requestID: '0' }),
    );
    // Both SYN_STREAMs and data in one chunk, split at an awkward place.
    const bytes = Buffer.concat([
      synStream(1, errorHeaders, true),
      synStream(3, dataHeaders),
      encodeData(3, Buffer.from('GET /')),
      ping(7),
    ]);
    conn.receive(bytes.subarray(0, 11));
    conn.receive(bytes.subarray(11));
    await eventually(() => streams.length === 2 && received.length === 1, { what: 'two streams and the data' });
    expect(streams.map((s) => s.headers)).toEqual([
      { streamtype: 'error', port: '8080', requestid: '0' },
      { streamtype: 'data', port: '8080', requestid: '0' },
    ]);
    expect(received).toEqual(['3:GET /']);
    streams[1]?.write(Buffer.from('200 OK'));
    streams[1]?.end();

    const parser = new SpdyFrameParser();
    const frames: SpdyFrame[] = written.flatMap((b) => parser.push(b));
    const inflate = createHeaderInflater();
    const replies = frames.filter((f) => f.kind === 'control' && f.type === ControlType.synReply);
    expect(replies).toHaveLength(2);
    for (const r of replies) {
      if (r.kind !== 'control') continue;
      expect(decodeHeaderPairs(await inflate.run(r.body.subarray(4)))).toEqual({});
    }
    const pong = frames.find((f) => f.kind === 'control' && f.type === ControlType.ping);
    expect(pong?.kind === 'control' && pong.body.readUInt32BE(0)).toBe(7);
    const data = frames.filter((f) => f.kind === 'data');
    expect(data.map((f) => (f.kind === 'data' ? [f.streamId, f.data.toString(), f.flags] : []))).toEqual([
      [3, '200 OK', 0],
      [3, '', Flag.fin],
    ]);
    clientDeflate.close();
    inflate.close();
    conn.transportClosed();
  });

  it('closes every stream when the transport closes', async () => {
    let closed = 0;
    const conn = createSpdyConnection({
      transport: { write: () => undefined, close: () => undefined },
      onStream: (s) => s.onClose(() => closed++),
    });
    const deflate = createHeaderDeflater();
    conn.receive(synStream(1, await deflate.run(encodeHeaderPairs({ streamType: 'data' }))));
    await eventually(() => conn.isClosed() === false && closed === 0);
    await new Promise((r) => setTimeout(r, 20));
    conn.transportClosed();
    expect(closed).toBe(1);
    deflate.close();
  });
});
