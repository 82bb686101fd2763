/**
 * One query in, at most one response out, for both transports; it never throws. A
 * datagram shorter than a header or with QR set is dropped; a malformed one gets FORMERR
 * (RFC 1035), another opcode NOTIMP, an EDNS version above 0 BADVERS (RFC 6891), and
 * every query before the zone is synced SERVFAIL. Otherwise the zone answers, and the
 * response is cut to 512 octets over UDP (or the client's EDNS0 size, at most
 * `maxUdpSize`) with TC set, so the client retries over TCP for the whole answer.
 */
import { createAnswerCache } from './answer-cache.js';
import {
  type DnsMessage,
  type Edns,
  type Question,
  RCode,
  type RecordData,
  rcodeName,
  typeName,
} from './dns-message.js';
import { type ZoneOptions, answerQuestion } from './dns-zone.js';
import { HEADER_SIZE, parseMessage } from './wire-parse.js';
import { CLASSIC_UDP_SIZE, MAX_MESSAGE_SIZE, encodeMessage } from './wire-encode.js';
import type { ZoneIndex } from './zone-index.js';

/** Transport a query came over. */
export type Transport = 'udp' | 'tcp';

/** A response and what the query log records about it. */
export interface QueryResult {
  response: Buffer;
  /** Query name ('' when the question could not be read). */
  name: string;
  type: string;
  rcode: string;
  /** The answer section's data, one string per record (for flow records). */
  answers?: string[];
  /** Out of the zone and an upstream is configured: the caller forwards the query instead. */
  forward?: boolean;
}

/** One answer record's data as text: an address, a target, `priority weight port target`, ... */
export function recordText(data: RecordData): string {
  switch (data.kind) {
    case 'A':
    case 'AAAA':
      return data.address;
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return data.target;
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${data.target}`;
    case 'TXT':
      return data.texts.join(' ');
    default:
      return data.kind;
  }
}

/** Flow records keep this many answers at most: enough to show, cheap for a large headless Service. */
const MAX_ANSWER_TEXTS = 8;

function answerTexts(m: DnsMessage): string[] {
  const out: string[] = [];
  for (let i = 0; i < m.answers.length && i < MAX_ANSWER_TEXTS; i++)
    out.push(recordText((m.answers[i] as { data: RecordData }).data));
  return out;
}

/** What the handler needs. */
export interface QueryHandlerOptions {
  /** The current zone; undefined until the view is synced. */
  zone(): ZoneIndex | undefined;
  zoneOptions: ZoneOptions;
  /** Largest UDP response we send to an EDNS0 client (default 1232, the DNS flag day size). */
  maxUdpSize?: number;
  /** Responses kept per zone generation (default 10 000; 0 disables the cache). */
  cacheEntries?: number;
  /** Whether out-of-zone queries are forwarded (otherwise REFUSED). */
  upstream?: boolean;
}

/** Handles raw queries. */
export interface QueryHandler {
  handle(query: Buffer, transport: Transport): QueryResult | undefined;
  /** The answer cache's counters since start, and its entries now (CoreDNS's cache metrics). */
  cacheStats(): { hits: number; misses: number; entries: number };
}

/** EDNS0 size we advertise. */
export const DEFAULT_MAX_UDP_SIZE = 1232;

function bareResponse(query: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER_SIZE);
  out[0] = query[0] as number;
  out[1] = query[1] as number;
  // QR, the query's opcode and RD; everything else zero.
  out[2] = 0x80 | ((query[2] as number) & 0x79);
  out[3] = rcode & 0xf;
  return out;
}

function responseEdns(query: Edns | undefined, maxUdpSize: number): Edns | undefined {
  if (!query) return undefined;
  return { udpSize: maxUdpSize, extendedRcode: 0, version: 0, dnssecOk: query.dnssecOk, options: [] };
}

function reply(
  query: DnsMessage,
  question: Question | undefined,
  rcode: number,
  rest: Partial<Pick<DnsMessage, 'answers' | 'authority' | 'additional'>> & { aa?: boolean },
  edns: Edns | undefined,
): DnsMessage {
  const h = query.header;
  return {
    header: {
      id: h.id,
      qr: true,
      opcode: h.opcode,
      aa: rest.aa ?? false,
      tc: false,
      rd: h.rd,
      ra: false,
      ad: false,
      cd: h.cd,
      rcode,
    },
    questions: question ? [question] : [],
    answers: rest.answers ?? [],
    authority: rest.authority ?? [],
    additional: rest.additional ?? [],
    ...(edns ? { edns } : {}),
  };
}

/**
 * Whether the question name is plain labels. The cache key leaves out the ID, so a name
 * with a compression pointer (which can only point into the header, the ID included)
 * could parse differently under another ID: such queries are never cached.
 */
function plainQuestion(query: Buffer): boolean {
  let pos = HEADER_SIZE;
  while (pos < query.length) {
    const len = query[pos] as number;
    if (len === 0) return true;
    if (len > 63) return false;
    pos += len + 1;
  }
  return false;
}

/** Creates a query handler. */
export function createQueryHandler(options: QueryHandlerOptions): QueryHandler {
  const maxUdpSize = options.maxUdpSize ?? DEFAULT_MAX_UDP_SIZE;
  const cache = createAnswerCache(options.cacheEntries ?? 10_000);
  let hits = 0;
  let misses = 0;

  function answer(query: Buffer, transport: Transport, zone: ZoneIndex | undefined): QueryResult | undefined {
    let msg: DnsMessage;
    try {
      msg = parseMessage(query, { decodeRecords: false });
    } catch {
      return { response: bareResponse(query, RCode.FORMERR), name: '', type: '', rcode: 'FORMERR' };
    }
    const h = msg.header;
    if (h.opcode !== 0) return { response: bareResponse(query, RCode.NOTIMP), name: '', type: '', rcode: 'NOTIMP' };
    const q = msg.questions[0];
    if (!q || msg.questions.length !== 1) {
      return { response: bareResponse(query, RCode.FORMERR), name: '', type: '', rcode: 'FORMERR' };
    }
    const edns = responseEdns(msg.edns, maxUdpSize);
    const limit =
      transport === 'tcp'
        ? MAX_MESSAGE_SIZE
        : msg.edns
          ? Math.min(Math.max(msg.edns.udpSize, CLASSIC_UDP_SIZE), maxUdpSize)
          : CLASSIC_UDP_SIZE;
    const done = (m: DnsMessage, rcode: number, forward = false): QueryResult => ({
      response: encodeMessage(m, limit),
      name: q.name,
      type: typeName(q.type),
      rcode: rcodeName(rcode),
      answers: answerTexts(m),
      ...(forward ? { forward } : {}),
    });
    if (msg.edns && msg.edns.version > 0) return done(reply(msg, q, RCode.BADVERS, {}, edns), RCode.BADVERS);
    if (!zone) return done(reply(msg, q, RCode.SERVFAIL, {}, edns), RCode.SERVFAIL);
    const a = answerQuestion(zone, q, options.zoneOptions);
    const forward = a.outOfZone && options.upstream === true;
    return done(reply(msg, q, a.rcode, { ...a, aa: a.authoritative }, edns), a.rcode, forward);
  }

  return {
    cacheStats: () => ({ hits, misses, entries: cache.size() }),
    handle(query, transport) {
      try {
        if (query.length < HEADER_SIZE || ((query[2] as number) & 0x80) !== 0) return undefined;
        const zone = options.zone();
        const key =
          query.length <= 512 ? `${transport === 'udp' ? 'u' : 't'}${query.toString('latin1', 2)}` : undefined;
        const hit = key !== undefined ? cache.get(zone, key) : undefined;
        if (hit) {
          hits++;
          const response = Buffer.allocUnsafe(hit.response.length);
          hit.response.copy(response);
          response[0] = query[0] as number;
          response[1] = query[1] as number;
          return {
            response,
            name: hit.name,
            type: hit.type,
            rcode: hit.rcode,
            ...(hit.answers ? { answers: hit.answers } : {}),
          };
        }
        if (key !== undefined) misses++;
        const result = answer(query, transport, zone);
        if (result && key !== undefined && zone && !result.forward && plainQuestion(query))
          cache.set(zone, key, result);
        return result;
      } catch {
        return query.length >= HEADER_SIZE
          ? { response: bareResponse(query, RCode.SERVFAIL), name: '', type: '', rcode: 'SERVFAIL' }
          : undefined;
      }
    },
  };
}
