import type { EndpointSlice, Service } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { CLASS_IN, type DnsMessage, type Edns, RCode, RRType } from './dns-message.js';
import { createQueryHandler } from './query-handler.js';
import { encodeMessage } from './wire-encode.js';
import { parseMessage } from './wire-parse.js';
import { type ZoneIndex, buildZoneIndex } from './zone-index.js';

/** A headless service with `n` ready endpoints, plus web-service. */
function zoneWith(n: number): ZoneIndex {
  const services: Service[] = [
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
      spec: { clusterIP: 'None', ports: [{ port: 80 }] },
    },
  ];
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'default', name: 'many-x', labels: { 'kubernetes.io/service-name': 'many' } },
    addressType: 'IPv4',
    endpoints: Array.from({ length: n }, (_, i) => ({
      addresses: [`10.244.${1 + (i >> 8)}.${i & 255}`],
      conditions: { ready: true },
    })),
    ports: [{ name: '', port: 80, protocol: 'TCP' }],
  };
  return buildZoneIndex(
    {
      services,
      endpointSlices: [slice],
      namespaces: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }],
    },
    { domain: 'cluster.local', serial: 1 },
  );
}

function query(
  name: string,
  type: number,
  options: { id?: number; edns?: Partial<Edns>; opcode?: number } = {},
): Buffer {
  const msg: DnsMessage = {
    header: {
      id: options.id ?? 4242,
      qr: false,
      opcode: options.opcode ?? 0,
      aa: false,
      tc: false,
      rd: true,
      ra: false,
      ad: false,
      cd: false,
      rcode: 0,
    },
    questions: [{ name, type, class: CLASS_IN }],
    answers: [],
    authority: [],
    additional: [],
    ...(options.edns
      ? { edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, options: [], ...options.edns } }
      : {}),
  };
  return encodeMessage(msg);
}

const zoneOptions = { ttl: 5, pods: 'insecure' as const };

describe('createQueryHandler', () => {
  const zone = zoneWith(100);
  const handler = createQueryHandler({ zone: () => zone, zoneOptions });

  it('answers a query authoritatively, echoing ID, question and RD', () => {
    const r = handler.handle(query('web-service.default.svc.cluster.local', RRType.A, { id: 99 }), 'udp');
    expect(r).toMatchObject({
      name: 'web-service.default.svc.cluster.local',
      type: 'A',
      rcode: 'NOERROR',
      answers: ['10.96.0.50'],
    });
    const m = parseMessage(r?.response as Buffer);
    expect(m.header).toMatchObject({ id: 99, qr: true, aa: true, rd: true, ra: false, tc: false, rcode: 0 });
    expect(m.questions).toEqual([{ name: 'web-service.default.svc.cluster.local', type: RRType.A, class: CLASS_IN }]);
    expect(m.answers.map((a) => a.data)).toEqual([{ kind: 'A', address: '10.96.0.50' }]);
  });

  it('serves a repeated query from the cache with the new ID', () => {
    const first = handler.handle(query('web-service.default.svc.cluster.local', RRType.SRV, { id: 1 }), 'udp');
    const second = handler.handle(query('web-service.default.svc.cluster.local', RRType.SRV, { id: 2 }), 'udp');
    expect(parseMessage(first?.response as Buffer).header.id).toBe(1);
    expect(parseMessage(second?.response as Buffer).header.id).toBe(2);
    expect(second?.response.subarray(2)).toEqual(first?.response.subarray(2));
    expect(second?.answers).toEqual(first?.answers);
    expect(second?.answers).toEqual(['0 100 80 web-service.default.svc.cluster.local']);
  });

  it('does not serve a question that points into the ID from the cache', () => {
    // The name is a pointer to offset 0: with ID 0 it is the root, with ID 0x0500 a 5-octet label.
    const q = (id: number) => Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 1, 0, 1]);
    expect(parseMessage(handler.handle(q(0), 'udp')?.response as Buffer).questions[0]?.name).toBe('');
    expect(parseMessage(handler.handle(q(0x0500), 'udp')?.response as Buffer).questions[0]?.name).toBe(
      '\\000\\001\\000\\000\\001',
    );
  });

  it('drops datagrams shorter than a header and responses', () => {
    expect(handler.handle(Buffer.alloc(11), 'udp')).toBeUndefined();
    const response = handler.handle(query('web-service.default.svc.cluster.local', RRType.A), 'udp')
      ?.response as Buffer;
    expect(handler.handle(response, 'udp')).toBeUndefined();
  });

  it('answers FORMERR to malformed queries and to several questions', () => {
    const broken = Buffer.concat([
      query('web-service.default.svc.cluster.local', RRType.A, { id: 7 }),
      Buffer.from([1]),
    ]);
    const r = handler.handle(broken, 'udp');
    expect(r?.rcode).toBe('FORMERR');
    expect(parseMessage(r?.response as Buffer).header).toMatchObject({ id: 7, qr: true, rcode: RCode.FORMERR });
    const none = Buffer.from([0, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(handler.handle(none, 'udp')?.rcode).toBe('FORMERR');
  });

  it('answers NOTIMP to other opcodes and BADVERS to EDNS version 1', () => {
    expect(handler.handle(query('web-service.default.svc.cluster.local', RRType.A, { opcode: 2 }), 'udp')?.rcode).toBe(
      'NOTIMP',
    );
    const r = handler.handle(query('web-service.default.svc.cluster.local', RRType.A, { edns: { version: 1 } }), 'udp');
    expect(r?.rcode).toBe('BADVERS');
    const m = parseMessage(r?.response as Buffer);
    expect(m.header.rcode).toBe(RCode.BADVERS);
    expect(m.edns?.version).toBe(0);
  });

  it('answers SERVFAIL until the zone is synced', () => {
    const early = createQueryHandler({ zone: () => undefined, zoneOptions });
    expect(early.handle(query('web-service.default.svc.cluster.local', RRType.A), 'udp')?.rcode).toBe('SERVFAIL');
  });

  it('sets TC on a UDP answer over 512 octets and gives the whole answer over TCP', () => {
    const udp = parseMessage(
      handler.handle(query('many.default.svc.cluster.local', RRType.A), 'udp')?.response as Buffer,
    );
    expect(udp.header.tc).toBe(true);
    expect(udp.answers.length).toBeLessThan(100);
    const raw = handler.handle(query('many.default.svc.cluster.local', RRType.A), 'udp')?.response as Buffer;
    expect(raw.length).toBeLessThanOrEqual(512);
    const tcp = parseMessage(
      handler.handle(query('many.default.svc.cluster.local', RRType.A), 'tcp')?.response as Buffer,
    );
    expect(tcp.header.tc).toBe(false);
    expect(tcp.answers).toHaveLength(100);
  });

  it('honours the EDNS0 buffer size up to its own limit', () => {
    const q = (udpSize: number) =>
      handler.handle(query('many.default.svc.cluster.local', RRType.A, { edns: { udpSize } }), 'udp')
        ?.response as Buffer;
    const big = parseMessage(q(4096));
    expect(q(4096).length).toBeLessThanOrEqual(1232);
    expect(big.header.tc).toBe(true);
    expect(big.edns?.udpSize).toBe(1232);
    const small = handler.handle(
      query('web-service.default.svc.cluster.local', RRType.A, { edns: { udpSize: 600 } }),
      'udp',
    );
    expect(parseMessage(small?.response as Buffer).header.tc).toBe(false);
    const fits = zoneWith(40);
    const h = createQueryHandler({ zone: () => fits, zoneOptions });
    const r = h.handle(query('many.default.svc.cluster.local', RRType.A, { edns: { udpSize: 1232 } }), 'udp');
    expect(parseMessage(r?.response as Buffer)).toMatchObject({ header: { tc: false } });
    expect(parseMessage(r?.response as Buffer).answers).toHaveLength(40);
  });

  it('refuses names outside the zone, or marks them for an upstream when one is set', () => {
    expect(handler.handle(query('example.com', RRType.A), 'udp')?.rcode).toBe('REFUSED');
    const forwarding = createQueryHandler({ zone: () => zone, zoneOptions, upstream: true });
    expect(forwarding.handle(query('example.com', RRType.A), 'udp')?.forward).toBe(true);
  });

  it('starts a new cache generation when the zone changes', () => {
    let current = zoneWith(1);
    const h = createQueryHandler({ zone: () => current, zoneOptions });
    const count = () =>
      parseMessage(h.handle(query('many.default.svc.cluster.local', RRType.A), 'tcp')?.response as Buffer).answers
        .length;
    expect(count()).toBe(1);
    current = zoneWith(3);
    expect(count()).toBe(3);
  });
});
