/**
 * RELIABILITY.md D1: 10^5 malformed and mutated packets through the real handler. Every
 * packet must get either nothing or a well-formed response (FORMERR, or a valid answer
 * to the question it asked) within a bounded time, and never an internal failure.
 * Seeded and replayable: KEMU_FUZZ_SEED=<seed> (printed on every run), KEMU_FUZZ_CASES.
 */
import type { EndpointSlice, Service } from '@kemu/api';
import { int, parseEnv } from '@kemu/config';
import { describe, expect, it } from 'vitest';
import { CLASS_IN, type DnsMessage, RCode, RRType } from './dns-message.js';
import { createQueryHandler } from './query-handler.js';
import { encodeMessage } from './wire-encode.js';
import { parseMessage } from './wire-parse.js';
import { buildZoneIndex } from './zone-index.js';

const fuzz = parseEnv(
  {
    seed: int({ env: 'KEMU_FUZZ_SEED', min: 0, meaning: 'seed to replay a run' }),
    cases: int({ env: 'KEMU_FUZZ_CASES', min: 0, default: 100_000, meaning: 'queries sent' }),
  },
  process.env,
);
const seed = fuzz.seed ?? Math.floor(Math.random() * 2 ** 31);
const cases = fuzz.cases;

/** mulberry32: small, fast, seedable. */
function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const zone = buildZoneIndex(
  {
    namespaces: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }],
    services: [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: 'default', name: 'web-service' },
        spec: { clusterIP: '10.96.0.50', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: 'default', name: 'many' },
        spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] },
      },
    ] satisfies Service[],
    endpointSlices: [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { namespace: 'default', name: 'many-1', labels: { 'kubernetes.io/service-name': 'many' } },
        addressType: 'IPv4',
        endpoints: Array.from({ length: 80 }, (_, i) => ({
          addresses: [`10.244.1.${i}`],
          conditions: { ready: true },
        })),
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      },
    ] satisfies EndpointSlice[],
  },
  { domain: 'cluster.local', serial: 7 },
);

const NAMES = [
  'web-service.default.svc.cluster.local',
  '_http._tcp.web-service.default.svc.cluster.local',
  'many.default.svc.cluster.local',
  '_http._tcp.many.default.svc.cluster.local',
  '10-244-1-3.default.pod.cluster.local',
  '50.0.96.10.in-addr.arpa',
  'dns-version.cluster.local',
  'cluster.local',
  'example.com',
  'nope.default.svc.cluster.local',
];
const TYPES = [RRType.A, RRType.AAAA, RRType.SRV, RRType.PTR, RRType.TXT, RRType.ANY, RRType.SOA, RRType.AXFR, 99];

function seedQuery(rand: () => number): Buffer {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const msg: DnsMessage = {
    header: {
      id: Math.floor(rand() * 65536),
      qr: false,
      opcode: 0,
      aa: false,
      tc: false,
      rd: rand() < 0.5,
      ra: false,
      ad: false,
      cd: false,
      rcode: 0,
    },
    questions: [{ name: pick(NAMES), type: pick(TYPES), class: CLASS_IN }],
    answers: [],
    authority: [],
    additional: [],
    ...(rand() < 0.5
      ? {
          edns: {
            udpSize: pick([0, 512, 1232, 4096, 65535]),
            extendedRcode: 0,
            version: 0,
            dnssecOk: rand() < 0.5,
            options: rand() < 0.3 ? [{ code: 10, data: new Uint8Array(8) }] : [],
          },
        }
      : {}),
  };
  return encodeMessage(msg);
}

/** Hand-made hostile shapes: pointer loops, long labels and names, overruns. */
function hostile(rand: () => number): Buffer {
  const header = [Math.floor(rand() * 256), Math.floor(rand() * 256), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
  switch (Math.floor(rand() * 6)) {
    case 0: // two pointers pointing at each other
      return Buffer.from([...header, 0xc0, 14, 0xc0, 12, 0, 1, 0, 1]);
    case 1: // a label length over 63
      return Buffer.from([...header, 64 + Math.floor(rand() * 64), ...new Array(70).fill(97), 0, 0, 1, 0, 1]);
    case 2: {
      // a name over 255 octets, in 63-octet labels
      const labels = Array.from({ length: 4 + Math.floor(rand() * 3) }, () => [63, ...new Array(63).fill(98)]).flat();
      return Buffer.from([...header, ...labels, 0, 0, 1, 0, 1]);
    }
    case 3: {
      // a valid question, then an OPT with an RDLENGTH past the end
      const q = seedQuery(rand);
      const b = Buffer.concat([q, Buffer.from([0, 0, 41, 4, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 10])]);
      b.writeUInt16BE(b.readUInt16BE(10) + 1, 10);
      return b;
    }
    case 4: // counts far beyond the data
      return Buffer.from([...header.slice(0, 4), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 97, 0, 0, 1, 0, 1]);
    default: {
      // the question name is a pointer into the header, whose random bytes are read as labels and pointers
      const h = header.map((b, i) => (i >= 4 && rand() < 0.5 ? [0xc0, 1, 2, 63, 0][Math.floor(rand() * 5)] : b));
      return Buffer.from([...h, 0xc0, Math.floor(rand() * 12), 0, 1, 0, 1]);
    }
  }
}

function mutate(base: Buffer, rand: () => number): Buffer {
  let b = Buffer.from(base);
  const steps = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(rand() * Math.max(1, b.length));
    switch (Math.floor(rand() * 7)) {
      case 0:
        if (b.length > 0) b[at] = (b[at] as number) ^ (1 << Math.floor(rand() * 8));
        break;
      case 1:
        if (b.length > 0) b[at] = [0, 0xff, 0xc0, 0x3f, 0x40, 0x80, 12, 41][Math.floor(rand() * 8)] as number;
        break;
      case 2:
        b = b.subarray(0, at);
        break;
      case 3:
        b = Buffer.concat([
          b,
          Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 256))),
        ]);
        break;
      case 4:
        if (b.length >= 12) b.writeUInt16BE(Math.floor(rand() * 65536), 4 + 2 * Math.floor(rand() * 4));
        break;
      case 5:
        if (b.length > at + 1) b.writeUInt16BE(0xc000 | Math.floor(rand() * Math.min(0x3fff, b.length + 4)), at);
        break;
      default:
        b[2] = (b[2] as number) & 0x7f; // keep it a query so it is not simply dropped
    }
  }
  return b;
}

function noise(rand: () => number): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(rand() * 600) }, () => Math.floor(rand() * 256)));
}

describe('query handler under malformed input (D1)', () => {
  it(`survives ${cases} generated packets (seed ${seed})`, () => {
    console.log(`dns fuzz: seed ${seed}, ${cases} cases (replay with KEMU_FUZZ_SEED=${seed})`);
    const rand = prng(seed);
    const handler = createQueryHandler({ zone: () => zone, zoneOptions: { ttl: 5, pods: 'insecure' } });
    const times: number[] = [];
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < cases; i++) {
      const kind = rand();
      const packet = kind < 0.7 ? mutate(seedQuery(rand), rand) : kind < 0.85 ? hostile(rand) : noise(rand);
      const transport = rand() < 0.8 ? 'udp' : 'tcp';
      const started = process.hrtime.bigint();
      let result: ReturnType<typeof handler.handle>;
      try {
        result = handler.handle(packet, transport);
      } catch (err) {
        throw new Error(`case ${i} (seed ${seed}) threw: ${String(err)} on ${packet.toString('hex')}`);
      }
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      const label = result ? result.rcode : 'dropped';
      outcomes[label] = (outcomes[label] ?? 0) + 1;
      if (!result) {
        expect(
          packet.length < 12 || ((packet[2] as number) & 0x80) !== 0,
          `case ${i} seed ${seed}: dropped a query`,
        ).toBe(true);
        continue;
      }
      const where = `case ${i} seed ${seed}: ${packet.toString('hex')}`;
      expect(result.rcode, where).not.toBe('SERVFAIL');
      let response: DnsMessage;
      try {
        response = parseMessage(result.response);
      } catch (err) {
        throw new Error(`${where}: invalid response ${result.response.toString('hex')}: ${String(err)}`);
      }
      expect(response.header.qr, where).toBe(true);
      expect(response.header.id, where).toBe(packet.readUInt16BE(0));
      expect(result.response.length, where).toBeLessThanOrEqual(transport === 'udp' ? 1232 : 65535);
      if (response.header.rcode !== RCode.FORMERR && response.header.rcode !== RCode.NOTIMP) {
        const asked = parseMessage(packet, { decodeRecords: false });
        expect(response.questions, where).toEqual(asked.questions);
        if (transport === 'udp' && !asked.edns) expect(result.response.length, where).toBeLessThanOrEqual(512);
      }
    }
    times.sort((a, b) => a - b);
    const p99 = times[Math.floor(times.length * 0.99)] as number;
    const max = times[times.length - 1] as number;
    console.log(`dns fuzz outcomes ${JSON.stringify(outcomes)}; p99 ${p99.toFixed(3)} ms, max ${max.toFixed(3)} ms`);
    expect(p99).toBeLessThan(5);
    expect(max).toBeLessThan(100);
    expect(outcomes.FORMERR ?? 0).toBeGreaterThan(cases / 10);
    expect(outcomes.NOERROR ?? 0).toBeGreaterThan(cases / 100);
  }, 60_000);
});
