/**
 * The DNS message model shared by the wire codec and the zone (RFC 1035, RFC 6891).
 * Names are dotted strings without the trailing dot (the root is ''); a label byte that
 * would be ambiguous in that form ('.', '\\', or outside printable ASCII) is written as
 * `\DDD`, so a hostile label can never look like two labels.
 */

/** Record types kemu reads or writes. */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

/** Response codes (the 4 header bits; BADVERS needs the OPT extension). */
export const RCode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

/** The Internet class. */
export const CLASS_IN = 1;

/** Header fields; `rcode` may exceed 15 when an OPT record carries the upper bits. */
export interface DnsHeader {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  rcode: number;
}

/** One question. */
export interface Question {
  name: string;
  type: number;
  class: number;
}

/** Record data by type; RAW keeps the bytes of types the codec does not decode. */
export type RecordData =
  | { kind: 'A'; address: string }
  | { kind: 'AAAA'; address: string }
  | { kind: 'NS' | 'CNAME' | 'PTR'; target: string }
  | { kind: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { kind: 'TXT'; texts: string[] }
  | {
      kind: 'SOA';
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    }
  | { kind: 'RAW'; type: number; bytes: Uint8Array };

/** A resource record (class IN unless stated). */
export interface ResourceRecord {
  name: string;
  ttl: number;
  class?: number;
  data: RecordData;
}

/** The EDNS0 pseudo-record (RFC 6891). */
export interface Edns {
  udpSize: number;
  /** Upper 8 bits of the extended rcode. */
  extendedRcode: number;
  version: number;
  dnssecOk: boolean;
  options: { code: number; data: Uint8Array }[];
}

/** A whole message. */
export interface DnsMessage {
  header: DnsHeader;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  edns?: Edns;
}

const TYPE_CODES: Record<Exclude<RecordData['kind'], 'RAW'>, number> = {
  A: RRType.A,
  AAAA: RRType.AAAA,
  NS: RRType.NS,
  CNAME: RRType.CNAME,
  PTR: RRType.PTR,
  SRV: RRType.SRV,
  TXT: RRType.TXT,
  SOA: RRType.SOA,
};

/** The type code of record data. */
export function typeCodeOf(data: RecordData): number {
  return data.kind === 'RAW' ? data.type : TYPE_CODES[data.kind];
}

const TYPE_NAMES = new Map<number, string>(Object.entries(RRType).map(([k, v]) => [v, k]));
const RCODE_NAMES = new Map<number, string>(Object.entries(RCode).map(([k, v]) => [v, k]));

/** A type's mnemonic (`A`, `SRV`) or `TYPE<n>` (RFC 3597). */
export function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

/** An rcode's mnemonic or `RCODE<n>`. */
export function rcodeName(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}
