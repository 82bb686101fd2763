/**
 * DNS wire-format encoder with name compression (RFC 1035 §4.1.4) and truncation to a
 * size limit: records are written in order, and the first answer or authority record
 * that does not fit sets TC and ends the message, while additional records that do not
 * fit are only left out (RFC 2181 §9). An OPT record, when the message has one, is
 * always kept (its space is reserved first). SRV targets are never compressed (RFC 2782).
 * Encoding is synchronous into one scratch buffer, then copied out.
 */
import {
  type DnsHeader,
  type DnsMessage,
  type Edns,
  type ResourceRecord,
  CLASS_IN,
  RRType,
  typeCodeOf,
} from './dns-message.js';
import { DnsEncodeOverflowError, DnsNameError } from './errors.js';

/** Largest DNS message (TCP length prefix). */
export const MAX_MESSAGE_SIZE = 65535;
/** Classic UDP limit without EDNS0. */
export const CLASSIC_UDP_SIZE = 512;

const scratch = Buffer.allocUnsafe(MAX_MESSAGE_SIZE + 1024);

interface Writer {
  pos: number;
  names: Map<string, number>;
}

function room(w: Writer, n: number): void {
  if (w.pos + n > scratch.length) throw new DnsEncodeOverflowError('message exceeds 65535 octets');
}

function put8(w: Writer, v: number): void {
  room(w, 1);
  scratch[w.pos++] = v & 0xff;
}

function put16(w: Writer, v: number): void {
  room(w, 2);
  scratch.writeUInt16BE(v & 0xffff, w.pos);
  w.pos += 2;
}

function put32(w: Writer, v: number): void {
  room(w, 4);
  scratch.writeUInt32BE(v >>> 0, w.pos);
  w.pos += 4;
}

/** The bytes of one label in presentation form (\DDD escapes decoded). */
function labelBytes(label: string): Buffer {
  if (!label.includes('\\')) return Buffer.from(label, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === 0x5c && /^\d{3}$/.test(label.slice(i + 1, i + 4))) {
      out.push(Number(label.slice(i + 1, i + 4)) & 0xff);
      i += 3;
    } else if (c === 0x5c && i + 1 < label.length) {
      out.push(label.charCodeAt(++i) & 0xff);
    } else out.push(c & 0xff);
  }
  return Buffer.from(out);
}

function putName(w: Writer, name: string, compress: boolean): void {
  if (name === '' || name === '.') {
    put8(w, 0);
    return;
  }
  const full = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = full.split('.');
  let offset = 0;
  let octets = 1;
  for (const label of labels) {
    const suffix = offset === 0 ? full : full.slice(offset);
    const known = w.names.get(suffix);
    if (compress && known !== undefined) {
      put16(w, 0xc000 | known);
      return;
    }
    const bytes = labelBytes(label);
    if (bytes.length === 0 || bytes.length > 63) throw new DnsNameError(`bad label length in ${name}`);
    octets += bytes.length + 1;
    if (octets > 255) throw new DnsNameError(`name longer than 255 octets: ${name}`);
    if (known === undefined && w.pos <= 0x3fff) w.names.set(suffix, w.pos);
    room(w, bytes.length + 1);
    scratch[w.pos++] = bytes.length;
    bytes.copy(scratch, w.pos);
    w.pos += bytes.length;
    offset += label.length + 1;
  }
  put8(w, 0);
}

function putIPv4(w: Writer, address: string): void {
  const parts = address.split('.');
  if (parts.length !== 4) throw new DnsNameError(`bad IPv4 address ${address}`);
  for (const p of parts) put8(w, Number(p));
}

/** Sixteen bytes of an IPv6 address (with or without `::`). */
export function ipv6Bytes(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16) & 0xffff));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  if (all.length !== 8) throw new DnsNameError(`bad IPv6 address ${address}`);
  return all.flatMap((g: number) => [g >> 8, g & 0xff]);
}

function putRdata(w: Writer, rr: ResourceRecord): void {
  const d = rr.data;
  switch (d.kind) {
    case 'A':
      return putIPv4(w, d.address);
    case 'AAAA':
      for (const b of ipv6Bytes(d.address)) put8(w, b);
      return;
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return putName(w, d.target, true);
    case 'SRV':
      put16(w, d.priority);
      put16(w, d.weight);
      put16(w, d.port);
      return putName(w, d.target, false);
    case 'TXT':
      for (const t of d.texts) {
        const bytes = Buffer.from(t, 'latin1');
        for (let i = 0; i === 0 || i < bytes.length; i += 255) {
          const chunk = bytes.subarray(i, i + 255);
          put8(w, chunk.length);
          room(w, chunk.length);
          chunk.copy(scratch, w.pos);
          w.pos += chunk.length;
        }
      }
      return;
    case 'SOA':
      putName(w, d.mname, true);
      putName(w, d.rname, true);
      for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) put32(w, v);
      return;
    case 'RAW':
      room(w, d.bytes.length);
      scratch.set(d.bytes, w.pos);
      w.pos += d.bytes.length;
      return;
  }
}

function putRecord(w: Writer, rr: ResourceRecord): void {
  putName(w, rr.name, true);
  put16(w, typeCodeOf(rr.data));
  put16(w, rr.class ?? CLASS_IN);
  put32(w, rr.ttl);
  const lengthAt = w.pos;
  put16(w, 0);
  putRdata(w, rr);
  const len = w.pos - lengthAt - 2;
  if (len > 0xffff) throw new DnsEncodeOverflowError('RDATA longer than 65535 octets');
  scratch.writeUInt16BE(len, lengthAt);
}

function optSize(edns: Edns): number {
  return 11 + edns.options.reduce((n, o) => n + 4 + o.data.length, 0);
}

function putOpt(w: Writer, edns: Edns, rcode: number): void {
  put8(w, 0);
  put16(w, RRType.OPT);
  put16(w, edns.udpSize);
  put32(w, (((rcode >> 4) & 0xff) << 24) | ((edns.version & 0xff) << 16) | (edns.dnssecOk ? 0x8000 : 0));
  put16(
    w,
    edns.options.reduce((n, o) => n + 4 + o.data.length, 0),
  );
  for (const o of edns.options) {
    put16(w, o.code);
    put16(w, o.data.length);
    room(w, o.data.length);
    scratch.set(o.data, w.pos);
    w.pos += o.data.length;
  }
}

function flagsOf(h: DnsHeader, tc: boolean): number {
  return (
    (h.qr ? 0x8000 : 0) |
    ((h.opcode & 0xf) << 11) |
    (h.aa ? 0x0400 : 0) |
    (tc ? 0x0200 : 0) |
    (h.rd ? 0x0100 : 0) |
    (h.ra ? 0x0080 : 0) |
    (h.ad ? 0x0020 : 0) |
    (h.cd ? 0x0010 : 0) |
    (h.rcode & 0xf)
  );
}

/** Encodes a message, truncating it to `maxSize` octets (TC set when answers or authority were cut). */
export function encodeMessage(msg: DnsMessage, maxSize: number = MAX_MESSAGE_SIZE): Buffer {
  const limit = Math.min(Math.max(maxSize, 12), MAX_MESSAGE_SIZE);
  const w: Writer = { pos: 12, names: new Map() };
  const budget = limit - (msg.edns ? optSize(msg.edns) : 0);
  for (const q of msg.questions) {
    putName(w, q.name, true);
    put16(w, q.type);
    put16(w, q.class);
  }
  if (w.pos > budget) throw new DnsEncodeOverflowError('the question alone exceeds the size limit');
  let truncated = msg.header.tc;
  const counts = [0, 0, 0];
  const sections = [msg.answers, msg.authority, msg.additional];
  outer: for (let s = 0; s < 3; s++) {
    for (const rr of sections[s] as ResourceRecord[]) {
      const before = w.pos;
      let fits = true;
      try {
        putRecord(w, rr);
        fits = w.pos <= budget;
      } catch (err) {
        if (!(err instanceof DnsEncodeOverflowError)) throw err;
        fits = false;
      }
      if (!fits) {
        w.pos = before;
        if (s < 2) truncated = true;
        break outer;
      }
      counts[s] = (counts[s] as number) + 1;
    }
  }
  if (msg.edns) putOpt(w, msg.edns, msg.header.rcode);
  scratch.writeUInt16BE(msg.header.id & 0xffff, 0);
  scratch.writeUInt16BE(flagsOf(msg.header, truncated), 2);
  scratch.writeUInt16BE(msg.questions.length, 4);
  scratch.writeUInt16BE(counts[0] as number, 6);
  scratch.writeUInt16BE(counts[1] as number, 8);
  scratch.writeUInt16BE((counts[2] as number) + (msg.edns ? 1 : 0), 10);
  return Buffer.from(scratch.subarray(0, w.pos));
}
