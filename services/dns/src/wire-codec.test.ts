import { describe, expect, it } from 'vitest';
import { type DnsMessage, type ResourceRecord, CLASS_IN, RRType } from './dns-message.js';
import { DnsFormatError } from './errors.js';
import { encodeMessage } from './wire-encode.js';
import { parseMessage, readName } from './wire-parse.js';

const header = (over: Partial<DnsMessage['header']> = {}): DnsMessage['header'] => ({
  id: 0x1234,
  qr: true,
  opcode: 0,
  aa: true,
  tc: false,
  rd: true,
  ra: false,
  ad: false,
  cd: false,
  rcode: 0,
  ...over,
});

function message(answers: ResourceRecord[], over: Partial<DnsMessage> = {}): DnsMessage {
  return {
    header: header(),
    questions: [{ name: 'web-service.default.svc.cluster.local', type: RRType.A, class: CLASS_IN }],
    answers,
    authority: [],
    additional: [],
    ...over,
  };
}

/** A query as dig would send it (no EDNS). */
function query(name: string, type: number, id = 7): Buffer {
  return encodeMessage({
    header: { ...header({ id, qr: false, aa: false }) },
    questions: [{ name, type, class: CLASS_IN }],
    answers: [],
    authority: [],
    additional: [],
  });
}

describe('encodeMessage and parseMessage', () => {
  it('round-trips every record type the zone produces', () => {
    const name = 'web-service.default.svc.cluster.local';
    const records: ResourceRecord[] = [
      { name, ttl: 5, data: { kind: 'A', address: '10.96.0.17' } },
      { name, ttl: 5, data: { kind: 'AAAA', address: 'fd00:0:0:0:0:0:0:a' } },
      { name, ttl: 5, data: { kind: 'CNAME', target: 'example.com' } },
      { name: '17.0.96.10.in-addr.arpa', ttl: 5, data: { kind: 'PTR', target: name } },
      { name: `_http._tcp.${name}`, ttl: 5, data: { kind: 'SRV', priority: 0, weight: 100, port: 80, target: name } },
      { name: 'dns-version.cluster.local', ttl: 28800, data: { kind: 'TXT', texts: ['1.1.0'] } },
      {
        name: 'cluster.local',
        ttl: 5,
        data: {
          kind: 'SOA',
          mname: 'ns.dns.cluster.local',
          rname: 'hostmaster.cluster.local',
          serial: 4_000_000_000,
          refresh: 7200,
          retry: 1800,
          expire: 86400,
          minimum: 5,
        },
      },
    ];
    const edns = { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: true, options: [] };
    const bytes = encodeMessage(message(records, { edns }));
    const back = parseMessage(bytes);
    expect(back.header).toEqual(header());
    expect(back.questions).toEqual(message([]).questions);
    expect(back.answers).toEqual(records.map((r) => ({ ...r, class: CLASS_IN })));
    expect(back.edns).toEqual(edns);
  });

  it('compresses repeated names into pointers', () => {
    const name = 'web-service.default.svc.cluster.local';
    const one = encodeMessage(message([{ name, ttl: 5, data: { kind: 'A', address: '10.0.0.1' } }]));
    const many = encodeMessage(
      message(Array.from({ length: 10 }, (_, i) => ({ name, ttl: 5, data: { kind: 'A', address: `10.0.0.${i}` } }))),
    );
    // Each further record costs a 2-byte pointer plus 14 bytes of type, class, TTL, length and address.
    expect(many.length - one.length).toBe(9 * 16);
  });

  it('truncates answers to the limit and sets TC, keeping the OPT record', () => {
    const name = 'big.default.svc.cluster.local';
    const answers = Array.from(
      { length: 60 },
      (_, i): ResourceRecord => ({
        name,
        ttl: 5,
        data: { kind: 'A', address: `10.244.${i >> 8}.${i & 255}` },
      }),
    );
    const plain = encodeMessage(message(answers), 512);
    expect(plain.length).toBeLessThanOrEqual(512);
    const parsed = parseMessage(plain);
    expect(parsed.header.tc).toBe(true);
    expect(parsed.answers.length).toBeGreaterThan(10);
    expect(parsed.answers.length).toBeLessThan(60);

    const edns = { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, options: [] };
    const withEdns = parseMessage(encodeMessage(message(answers, { edns }), 1232));
    expect(withEdns.header.tc).toBe(false);
    expect(withEdns.answers).toHaveLength(60);
    expect(withEdns.edns?.udpSize).toBe(1232);
  });

  it('leaves out additional records that do not fit without setting TC', () => {
    const name = 'x.cluster.local';
    const answers: ResourceRecord[] = [{ name, ttl: 5, data: { kind: 'A', address: '10.0.0.1' } }];
    const additional = Array.from(
      { length: 60 },
      (_, i): ResourceRecord => ({
        name: `host-${i}.cluster.local`,
        ttl: 5,
        data: { kind: 'A', address: '10.0.0.2' },
      }),
    );
    const parsed = parseMessage(encodeMessage(message(answers, { additional }), 512));
    expect(parsed.header.tc).toBe(false);
    expect(parsed.answers).toHaveLength(1);
    expect(parsed.additional.length).toBeLessThan(60);
  });

  it('keeps odd label bytes unambiguous (\\DDD) and puts them back on the wire', () => {
    const q = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x2e, 0x62, 0, 0, 1, 0, 1]);
    const m = parseMessage(q);
    expect(m.questions[0]?.name).toBe('a\\046b');
    const again = encodeMessage({ ...m, header: { ...m.header } });
    expect(again.equals(q)).toBe(true);
  });
});

describe('parseMessage on malformed input', () => {
  const ok = query('web-service.default.svc.cluster.local', RRType.A);

  it.each<[string, Buffer]>([
    ['a truncated header', ok.subarray(0, 11)],
    ['a truncated question', ok.subarray(0, ok.length - 1)],
    ['a question count beyond the data', Buffer.concat([ok.subarray(0, 4), Buffer.from([0, 2]), ok.subarray(6)])],
    ['an answer count beyond the data', Buffer.concat([ok.subarray(0, 6), Buffer.from([0, 1]), ok.subarray(8)])],
    ['trailing bytes', Buffer.concat([ok, Buffer.from([0])])],
    [
      'a label over 63 octets (reserved 0x40 type)',
      Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64, ...Buffer.alloc(64, 97), 0, 0, 1, 0, 1]),
    ],
    ['a pointer to itself', Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1])],
    ['a forward pointer', Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 1, 97, 0, 0, 1, 0, 1])],
    [
      'a name longer than 255 octets',
      Buffer.from([
        0,
        1,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        ...Array.from({ length: 5 }, () => [63, ...Buffer.alloc(63, 97)]).flat(),
        0,
        0,
        1,
        0,
        1,
      ]),
    ],
    [
      'an RDLENGTH past the end',
      Buffer.concat([
        Buffer.from([0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
        Buffer.from([0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 10, 1, 2, 3, 4]),
      ]),
    ],
    [
      'an A record with RDLENGTH 5',
      Buffer.concat([
        Buffer.from([0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
        Buffer.from([0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 5, 1, 2, 3, 4, 5]),
      ]),
    ],
    [
      'two OPT records',
      Buffer.concat([
        ok.subarray(0, 10),
        Buffer.from([0, 2]),
        ok.subarray(12),
        Buffer.from([0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0]),
      ]),
    ],
  ])('refuses %s', (_what, bytes) => {
    expect(() => parseMessage(bytes)).toThrow(DnsFormatError);
  });

  it('bounds the length of a pointer chain', () => {
    const chain = (hops: number) => {
      const bytes = [...new Array(12).fill(0), 1, 97, 0];
      for (let i = 0; i < hops; i++) {
        const to = i === 0 ? 12 : bytes.length - 2;
        bytes.push(0xc0 | (to >> 8), to & 0xff);
      }
      return { buf: Buffer.from(bytes), last: bytes.length - 2 };
    };
    const short = chain(100);
    expect(readName(short.buf, short.last).name).toBe('a');
    const long = chain(200);
    expect(() => readName(long.buf, long.last)).toThrow(/too many compression pointers/);
  });

  it('follows a chain of backward pointers', () => {
    // 12: 'a' 'b' root; 16: 'c' -> 12; the question at 20 is a pointer to 16.
    const buf = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 97, 1, 98, 0, 1, 99, 0xc0, 12, 0xc0, 17]);
    expect(readName(buf, 21)).toEqual({ name: 'c.a.b', next: 23 });
  });
});
