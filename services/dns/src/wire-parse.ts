/**
 * DNS wire-format parser with strict bounds (RFC 1035 §4, RFC 6891, RFC 9267): every
 * read is checked against the buffer (and a record against its RDLENGTH), labels longer
 * than 63 and names longer than 255 octets are refused, and a compression pointer must
 * point strictly before the run of labels it ends, so pointer chains always shrink and a
 * loop is impossible. Anything malformed is a DnsFormatError; the work per packet is
 * linear in its size.
 */
import {
  type DnsHeader,
  type DnsMessage,
  type Edns,
  type Question,
  type RecordData,
  type ResourceRecord,
  RRType,
} from './dns-message.js';
import { DnsFormatError } from './errors.js';

/** Size of the fixed header. */
export const HEADER_SIZE = 12;
/** Longest name on the wire, root label included. */
export const MAX_NAME_OCTETS = 255;
/** Hops a name may take through compression pointers (they must shrink anyway). */
const MAX_POINTER_HOPS = 127;

/** How much of a message to decode. */
export interface ParseOptions {
  /**
   * Decode answer/authority/additional records fully (names and RDATA). A server parsing
   * a query only needs their bounds and the OPT record, which is cheaper.
   */
  decodeRecords?: boolean;
}

/** Reads the fixed header; the buffer must hold at least 12 bytes. */
export function parseHeader(buf: Uint8Array): DnsHeader {
  if (buf.length < HEADER_SIZE) throw new DnsFormatError('truncated header');
  const flags = ((buf[2] as number) << 8) | (buf[3] as number);
  return {
    id: ((buf[0] as number) << 8) | (buf[1] as number),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
  };
}

function u16(buf: Uint8Array, at: number): number {
  return ((buf[at] as number) << 8) | (buf[at + 1] as number);
}

function u32(buf: Uint8Array, at: number): number {
  return (
    (((buf[at] as number) << 24) |
      ((buf[at + 1] as number) << 16) |
      ((buf[at + 2] as number) << 8) |
      (buf[at + 3] as number)) >>>
    0
  );
}

function need(buf: Uint8Array, at: number, n: number, what: string): void {
  if (at + n > buf.length) throw new DnsFormatError(`truncated ${what}`);
}

/** One label in presentation form: bytes that would be ambiguous become \DDD. */
function labelText(buf: Uint8Array, start: number, len: number): string {
  let plain = true;
  for (let i = start; i < start + len; i++) {
    const c = buf[i] as number;
    if (c <= 0x20 || c >= 0x7f || c === 0x2e || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return String.fromCharCode(...buf.subarray(start, start + len));
  let out = '';
  for (let i = start; i < start + len; i++) {
    const c = buf[i] as number;
    out +=
      c <= 0x20 || c >= 0x7f || c === 0x2e || c === 0x5c ? `\\${String(c).padStart(3, '0')}` : String.fromCharCode(c);
  }
  return out;
}

/**
 * Reads a possibly compressed name at `at`; `limit` bounds the first run of labels (the
 * end of an RDATA). Returns the name and the offset after it.
 */
export function readName(buf: Uint8Array, at: number, limit: number = buf.length): { name: string; next: number } {
  const labels: string[] = [];
  let pos = at;
  let runStart = at;
  let end = Math.min(limit, buf.length);
  let next = -1;
  let octets = 1;
  let hops = 0;
  for (;;) {
    if (pos >= end) throw new DnsFormatError('truncated name');
    const len = buf[pos] as number;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= end) throw new DnsFormatError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | (buf[pos + 1] as number);
      if (target >= runStart) throw new DnsFormatError('compression pointer does not point backwards');
      if (++hops > MAX_POINTER_HOPS) throw new DnsFormatError('too many compression pointers');
      if (next < 0) next = pos + 2;
      pos = target;
      runStart = target;
      end = buf.length;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError('unknown label type');
    if (len === 0) {
      if (next < 0) next = pos + 1;
      return { name: labels.join('.'), next };
    }
    if (pos + 1 + len > end) throw new DnsFormatError('truncated label');
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) throw new DnsFormatError('name longer than 255 octets');
    labels.push(labelText(buf, pos + 1, len));
    pos += len + 1;
  }
}

/** Steps over a name without following pointers (bounds and label types still checked). */
function skipName(buf: Uint8Array, at: number): number {
  let pos = at;
  let octets = 1;
  for (;;) {
    need(buf, pos, 1, 'name');
    const len = buf[pos] as number;
    if ((len & 0xc0) === 0xc0) {
      need(buf, pos, 2, 'compression pointer');
      if ((((len & 0x3f) << 8) | (buf[pos + 1] as number)) >= pos) {
        throw new DnsFormatError('compression pointer does not point backwards');
      }
      return pos + 2;
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError('unknown label type');
    if (len === 0) return pos + 1;
    need(buf, pos + 1, len, 'label');
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) throw new DnsFormatError('name longer than 255 octets');
    pos += len + 1;
  }
}

function ipv6Text(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((b[i] as number) << 8) | (b[i + 1] as number)).toString(16));
  return groups.join(':');
}

function nameInRdata(buf: Uint8Array, at: number, end: number): { name: string; next: number } {
  const r = readName(buf, at, end);
  if (r.next > end) throw new DnsFormatError('name overruns RDLENGTH');
  return r;
}

function exact(next: number, end: number, what: string): void {
  if (next !== end) throw new DnsFormatError(`${what} does not fill RDLENGTH`);
}

function decodeRdata(buf: Uint8Array, type: number, at: number, len: number): RecordData {
  const end = at + len;
  switch (type) {
    case RRType.A:
      if (len !== 4) throw new DnsFormatError('A record RDLENGTH is not 4');
      return { kind: 'A', address: `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}` };
    case RRType.AAAA:
      if (len !== 16) throw new DnsFormatError('AAAA record RDLENGTH is not 16');
      return { kind: 'AAAA', address: ipv6Text(buf.subarray(at, end)) };
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR: {
      const r = nameInRdata(buf, at, end);
      exact(r.next, end, 'name');
      const kind = type === RRType.NS ? 'NS' : type === RRType.CNAME ? 'CNAME' : 'PTR';
      return { kind, target: r.name };
    }
    case RRType.SRV: {
      if (len < 7) throw new DnsFormatError('SRV record too short');
      const r = nameInRdata(buf, at + 6, end);
      exact(r.next, end, 'SRV target');
      return { kind: 'SRV', priority: u16(buf, at), weight: u16(buf, at + 2), port: u16(buf, at + 4), target: r.name };
    }
    case RRType.TXT: {
      const texts: string[] = [];
      let pos = at;
      while (pos < end) {
        const n = buf[pos] as number;
        if (pos + 1 + n > end) throw new DnsFormatError('TXT string overruns RDLENGTH');
        texts.push(Buffer.from(buf.subarray(pos + 1, pos + 1 + n)).toString('latin1'));
        pos += 1 + n;
      }
      return { kind: 'TXT', texts };
    }
    case RRType.SOA: {
      const m = nameInRdata(buf, at, end);
      const r = nameInRdata(buf, m.next, end);
      if (r.next + 20 !== end) throw new DnsFormatError('SOA record does not fill RDLENGTH');
      const p = r.next;
      return {
        kind: 'SOA',
        mname: m.name,
        rname: r.name,
        serial: u32(buf, p),
        refresh: u32(buf, p + 4),
        retry: u32(buf, p + 8),
        expire: u32(buf, p + 12),
        minimum: u32(buf, p + 16),
      };
    }
    default:
      return { kind: 'RAW', type, bytes: buf.slice(at, end) };
  }
}

function decodeEdns(buf: Uint8Array, cls: number, ttl: number, at: number, len: number): Edns {
  const options: Edns['options'] = [];
  const end = at + len;
  let pos = at;
  while (pos < end) {
    if (pos + 4 > end) throw new DnsFormatError('truncated EDNS option');
    const code = u16(buf, pos);
    const n = u16(buf, pos + 2);
    if (pos + 4 + n > end) throw new DnsFormatError('EDNS option overruns RDLENGTH');
    options.push({ code, data: buf.slice(pos + 4, pos + 4 + n) });
    pos += 4 + n;
  }
  return {
    udpSize: cls,
    extendedRcode: ttl >>> 24,
    version: (ttl >>> 16) & 0xff,
    dnssecOk: (ttl & 0x8000) !== 0,
    options,
  };
}

/** Parses a whole message; throws DnsFormatError on anything malformed, including trailing bytes. */
export function parseMessage(buf: Uint8Array, options: ParseOptions = {}): DnsMessage {
  const header = parseHeader(buf);
  const counts = [u16(buf, 4), u16(buf, 6), u16(buf, 8), u16(buf, 10)] as const;
  const decode = options.decodeRecords !== false;
  let pos = HEADER_SIZE;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const { name, next } = readName(buf, pos);
    need(buf, next, 4, 'question');
    questions.push({ name, type: u16(buf, next), class: u16(buf, next + 2) });
    pos = next + 4;
  }
  const sections: ResourceRecord[][] = [[], [], []];
  let edns: Edns | undefined;
  for (let s = 0; s < 3; s++) {
    const section = sections[s] as ResourceRecord[];
    for (let i = 0; i < (counts[s + 1] as number); i++) {
      let name = '';
      let next: number;
      if (decode) ({ name, next } = readName(buf, pos));
      else next = skipName(buf, pos);
      need(buf, next, 10, 'record header');
      const type = u16(buf, next);
      const cls = u16(buf, next + 2);
      const ttl = u32(buf, next + 4);
      const rdlength = u16(buf, next + 8);
      const rdata = next + 10;
      if (rdata + rdlength > buf.length) throw new DnsFormatError('RDLENGTH overruns the message');
      if (type === RRType.OPT) {
        if (s !== 2) throw new DnsFormatError('OPT record outside the additional section');
        if (edns) throw new DnsFormatError('more than one OPT record');
        if (buf[pos] !== 0) throw new DnsFormatError('OPT record owner is not the root');
        edns = decodeEdns(buf, cls, ttl, rdata, rdlength);
      } else if (decode) {
        section.push({ name, ttl, class: cls, data: decodeRdata(buf, type, rdata, rdlength) });
      }
      pos = rdata + rdlength;
    }
  }
  if (pos !== buf.length) throw new DnsFormatError('trailing bytes after the last record');
  if (edns) header.rcode |= edns.extendedRcode << 4;
  return {
    header,
    questions,
    answers: sections[0] as ResourceRecord[],
    authority: sections[1] as ResourceRecord[],
    additional: sections[2] as ResourceRecord[],
    ...(edns ? { edns } : {}),
  };
}
