import type { EndpointSlice, Namespace, Service } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { CLASS_IN, RCode, RRType, type ResourceRecord, rcodeName } from './dns-message.js';
import { answerQuestion } from './dns-zone.js';
import { buildZoneIndex } from './zone-index.js';

const ns = (name: string): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

function svc(namespace: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec };
}

function slice(
  namespace: string,
  service: string,
  endpoints: { ip: string; ready?: boolean; hostname?: string }[],
  ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' }[],
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name: `${service}-abcde`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: e.ready === undefined ? {} : { ready: e.ready },
      ...(e.hostname ? { hostname: e.hostname } : {}),
    })),
    ports,
  };
}

const index = buildZoneIndex(
  {
    namespaces: ['default', 'production', 'kube-system', 'empty'].map(ns),
    services: [
      svc('default', 'web-service', {
        clusterIP: '10.96.0.50',
        clusterIPs: ['10.96.0.50'],
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'metrics', port: 9090, protocol: 'TCP' },
        ],
      }),
      svc('production', 'web-service', { clusterIP: '10.96.0.60', ports: [{ port: 80 }] }),
      svc('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
      svc('default', 'nobody', { clusterIP: 'None', ports: [{ port: 80 }] }),
      svc('default', 'lonely', { clusterIP: '10.96.0.70', ports: [{ port: 80 }] }),
      svc('default', 'ext', { type: 'ExternalName', externalName: 'example.com' }),
      svc('default', 'alias', { type: 'ExternalName', externalName: 'web-service.default.svc.cluster.local' }),
      svc('default', 'loop-a', { type: 'ExternalName', externalName: 'loop-b.default.svc.cluster.local' }),
      svc('default', 'loop-b', { type: 'ExternalName', externalName: 'loop-a.default.svc.cluster.local' }),
      svc('kube-system', 'kube-dns', {
        clusterIP: '10.96.0.10',
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      }),
    ],
    endpointSlices: [
      slice('default', 'web-service', [{ ip: '10.244.1.5' }, { ip: '10.244.2.5' }], [{ name: 'http', port: 8080 }]),
      slice(
        'default',
        'db',
        [
          { ip: '10.244.1.7', hostname: 'db-0' },
          { ip: '10.244.2.7', ready: true },
          { ip: '10.244.3.7', ready: false },
        ],
        [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      ),
      slice('default', 'nobody', [{ ip: '10.244.3.9', ready: false }], [{ port: 80 }]),
    ],
  },
  { domain: 'cluster.local', serial: 42 },
);

/** dig-like text of a record. */
function text(rr: ResourceRecord): string {
  const d = rr.data;
  const rdata =
    d.kind === 'A' || d.kind === 'AAAA'
      ? d.address
      : d.kind === 'SRV'
        ? `${d.priority} ${d.weight} ${d.port} ${d.target}.`
        : d.kind === 'TXT'
          ? d.texts.map((t) => `"${t}"`).join(' ')
          : d.kind === 'SOA'
            ? `${d.mname}. ${d.rname}. ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`
            : d.kind === 'RAW'
              ? '?'
              : `${d.target}.`;
  return `${rr.name}. ${rr.ttl} ${d.kind} ${rdata}`;
}

function ask(name: string, type: keyof typeof RRType) {
  const a = answerQuestion(index, { name, type: RRType[type], class: CLASS_IN }, { ttl: 5, pods: 'insecure' });
  return {
    rcode: rcodeName(a.rcode),
    aa: a.authoritative,
    answers: a.answers.map(text),
    authority: a.authority.map(text),
    additional: a.additional.map(text),
  };
}

const SOA = 'cluster.local. 5 SOA ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 5';
const WEB = 'web-service.default.svc.cluster.local';

describe('answerQuestion', () => {
  it.each<[string, keyof typeof RRType, string, string[]]>([
    ['ClusterIP service A', 'A', WEB, [`${WEB}. 5 A 10.96.0.50`]],
    [
      'case-insensitive, echoing the asked case',
      'A',
      'Web-Service.DEFAULT.svc.Cluster.Local',
      ['Web-Service.DEFAULT.svc.Cluster.Local. 5 A 10.96.0.50'],
    ],
    [
      'another namespace',
      'A',
      'web-service.production.svc.cluster.local',
      ['web-service.production.svc.cluster.local. 5 A 10.96.0.60'],
    ],
    [
      'a ClusterIP service without endpoints still answers',
      'A',
      'lonely.default.svc.cluster.local',
      ['lonely.default.svc.cluster.local. 5 A 10.96.0.70'],
    ],
    ['named port SRV', 'SRV', `_http._tcp.${WEB}`, [`_http._tcp.${WEB}. 5 SRV 0 100 80 ${WEB}.`]],
    [
      'SRV on the service name lists every port',
      'SRV',
      WEB,
      [`${WEB}. 5 SRV 0 50 80 ${WEB}.`, `${WEB}. 5 SRV 0 50 9090 ${WEB}.`],
    ],
    [
      'headless A: ready endpoints only',
      'A',
      'db.default.svc.cluster.local',
      ['db.default.svc.cluster.local. 5 A 10.244.1.7', 'db.default.svc.cluster.local. 5 A 10.244.2.7'],
    ],
    [
      'headless endpoint by hostname',
      'A',
      'db-0.db.default.svc.cluster.local',
      ['db-0.db.default.svc.cluster.local. 5 A 10.244.1.7'],
    ],
    [
      'headless endpoint by dashed IP',
      'A',
      '10-244-2-7.db.default.svc.cluster.local',
      ['10-244-2-7.db.default.svc.cluster.local. 5 A 10.244.2.7'],
    ],
    [
      'headless SRV targets each endpoint',
      'SRV',
      '_pg._tcp.db.default.svc.cluster.local',
      [
        '_pg._tcp.db.default.svc.cluster.local. 5 SRV 0 50 5432 db-0.db.default.svc.cluster.local.',
        '_pg._tcp.db.default.svc.cluster.local. 5 SRV 0 50 5432 10-244-2-7.db.default.svc.cluster.local.',
      ],
    ],
    [
      'ExternalName CNAME',
      'A',
      'ext.default.svc.cluster.local',
      ['ext.default.svc.cluster.local. 5 CNAME example.com.'],
    ],
    [
      'ExternalName to a Service of the zone: CNAME, then the target A (as CoreDNS follows in-zone CNAMEs)',
      'A',
      'alias.default.svc.cluster.local',
      ['alias.default.svc.cluster.local. 5 CNAME web-service.default.svc.cluster.local.', `${WEB}. 5 A 10.96.0.50`],
    ],
    [
      'ExternalName CNAME asked as CNAME: not followed',
      'CNAME',
      'alias.default.svc.cluster.local',
      ['alias.default.svc.cluster.local. 5 CNAME web-service.default.svc.cluster.local.'],
    ],
    [
      'ExternalName loop: each CNAME once, then stops',
      'A',
      'loop-a.default.svc.cluster.local',
      [
        'loop-a.default.svc.cluster.local. 5 CNAME loop-b.default.svc.cluster.local.',
        'loop-b.default.svc.cluster.local. 5 CNAME loop-a.default.svc.cluster.local.',
      ],
    ],
    ['PTR of a ClusterIP', 'PTR', '50.0.96.10.in-addr.arpa', [`50.0.96.10.in-addr.arpa. 5 PTR ${WEB}.`]],
    [
      'PTR of a headless endpoint',
      'PTR',
      '7.1.244.10.in-addr.arpa',
      ['7.1.244.10.in-addr.arpa. 5 PTR db-0.db.default.svc.cluster.local.'],
    ],
    [
      'pod A (insecure)',
      'A',
      '10-244-1-5.default.pod.cluster.local',
      ['10-244-1-5.default.pod.cluster.local. 5 A 10.244.1.5'],
    ],
    ['schema version', 'TXT', 'dns-version.cluster.local', ['dns-version.cluster.local. 28800 TXT "1.1.0"']],
    ['ns.dns', 'A', 'ns.dns.cluster.local', ['ns.dns.cluster.local. 5 A 10.96.0.10']],
    ['SOA at the apex', 'SOA', 'cluster.local', [SOA]],
    ['ANY answers minimally with A', 'ANY', WEB, [`${WEB}. 5 A 10.96.0.50`]],
  ])('%s', (_what, type, name, answers) => {
    const a = ask(name, type);
    expect(a.rcode).toBe('NOERROR');
    expect(a.aa).toBe(true);
    expect(a.answers).toEqual(answers);
    expect(a.authority).toEqual([]);
  });

  it('adds glue A records for SRV targets', () => {
    expect(ask(`_http._tcp.${WEB}`, 'SRV').additional).toEqual([`${WEB}. 5 A 10.96.0.50`]);
    expect(ask('_pg._tcp.db.default.svc.cluster.local', 'SRV').additional).toEqual([
      'db-0.db.default.svc.cluster.local. 5 A 10.244.1.7',
      '10-244-2-7.db.default.svc.cluster.local. 5 A 10.244.2.7',
    ]);
  });

  it.each<[string, keyof typeof RRType, string, 'NOERROR' | 'NXDOMAIN']>([
    ['zone apex', 'A', 'cluster.local', 'NOERROR'],
    ['svc.<zone>', 'A', 'svc.cluster.local', 'NOERROR'],
    ['pod.<zone>', 'A', 'pod.cluster.local', 'NOERROR'],
    ['an existing namespace', 'A', 'default.svc.cluster.local', 'NOERROR'],
    ['an existing namespace without services', 'A', 'empty.svc.cluster.local', 'NOERROR'],
    ['a missing namespace', 'A', 'nope.svc.cluster.local', 'NXDOMAIN'],
    ['an unknown service', 'A', 'no-such-service.default.svc.cluster.local', 'NXDOMAIN'],
    ['AAAA on an IPv4 service', 'AAAA', WEB, 'NOERROR'],
    ['TXT on a service', 'TXT', WEB, 'NOERROR'],
    ['MX on a service (unsupported type: looked up as A)', 'MX', WEB, 'NOERROR'],
    ['a headless service without ready endpoints', 'A', 'nobody.default.svc.cluster.local', 'NXDOMAIN'],
    ['a not-ready endpoint', 'A', '10-244-3-7.db.default.svc.cluster.local', 'NXDOMAIN'],
    ['an unnamed port has no SRV', 'SRV', '_http._tcp.web-service.production.svc.cluster.local', 'NXDOMAIN'],
    ['a port of the wrong protocol', 'SRV', `_http._udp.${WEB}`, 'NXDOMAIN'],
    ['too many labels', 'A', `a.b.c.d.${WEB}`, 'NXDOMAIN'],
    ['a segment other than svc or pod', 'A', 'web-service.default.foo.cluster.local', 'NXDOMAIN'],
    ['a pod label that is not an IP', 'A', 'web-1.default.pod.cluster.local', 'NXDOMAIN'],
    ['a pod in a missing namespace', 'A', '10-244-1-5.nope.pod.cluster.local', 'NXDOMAIN'],
    ['an unknown reverse address', 'PTR', '9.9.9.10.in-addr.arpa', 'NXDOMAIN'],
    ['an empty non-terminal above a known reverse address', 'PTR', '96.10.in-addr.arpa', 'NOERROR'],
  ])('%s is %s with the SOA in authority', (_what, type, name, rcode) => {
    const a = ask(name, type);
    expect(a.rcode).toBe(rcode);
    expect(a.answers).toEqual([]);
    const zone = name.endsWith('in-addr.arpa') ? 'in-addr.arpa' : 'cluster.local';
    expect(a.authority).toEqual([SOA.replace(/^cluster\.local/, zone)]);
  });

  it('refuses names outside the cluster zone and zone transfers', () => {
    expect(ask('example.com', 'A')).toMatchObject({ rcode: 'REFUSED', aa: false, answers: [], authority: [] });
    expect(ask('cluster.local', 'AXFR').rcode).toBe('REFUSED');
    const out = answerQuestion(
      index,
      { name: 'example.com', type: RRType.A, class: CLASS_IN },
      { ttl: 5, pods: 'insecure' },
    );
    expect(out.outOfZone).toBe(true);
    expect(out.rcode).toBe(RCode.REFUSED);
  });

  it('answers pod names only in insecure mode', () => {
    const q = { name: '10-244-1-5.default.pod.cluster.local', type: RRType.A, class: CLASS_IN };
    expect(answerQuestion(index, q, { ttl: 5, pods: 'disabled' }).rcode).toBe(RCode.NXDOMAIN);
  });

  it('uses the configured TTL, with the SOA record TTL capped at 300', () => {
    const q = { name: 'nope.default.svc.cluster.local', type: RRType.A, class: CLASS_IN };
    const a = answerQuestion(index, q, { ttl: 600, pods: 'insecure' });
    expect(a.authority[0]?.ttl).toBe(300);
    expect(a.authority[0]?.data).toMatchObject({ minimum: 600 });
    const web = answerQuestion(index, { ...q, name: WEB }, { ttl: 30, pods: 'insecure' });
    expect(web.answers[0]?.ttl).toBe(30);
  });
});
