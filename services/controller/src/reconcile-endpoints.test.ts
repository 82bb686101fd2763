import type { Endpoints, Pod, Service } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { desiredSubsets, reconcileEndpoints } from './reconcile-endpoints.js';
import { compareIPv4 } from './service-pods.js';
import { pod, ref, service } from './testing/fixtures.js';

const http = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];

describe('desiredSubsets', () => {
  const cases: { name: string; service: Service; pods: Pod[]; want: unknown }[] = [
    {
      name: 'puts ready pods under addresses, sorted by IP, with the numeric targetPort',
      service: service(),
      pods: [
        pod('b', { ip: '10.244.2.10', node: 'node-2' }),
        pod('a', { ip: '10.244.2.9', node: 'node-2' }),
        pod('c', { ip: '10.244.1.5' }),
      ],
      want: [
        {
          addresses: [
            { ip: '10.244.1.5', nodeName: 'node-1', targetRef: ref('c') },
            { ip: '10.244.2.9', nodeName: 'node-2', targetRef: ref('a') },
            { ip: '10.244.2.10', nodeName: 'node-2', targetRef: ref('b') },
          ],
          ports: http,
        },
      ],
    },
    {
      name: 'puts unready pods under notReadyAddresses in the same subset',
      service: service(),
      pods: [pod('a', { ip: '10.244.1.2' }), pod('b', { ip: '10.244.1.3', ready: false })],
      want: [
        {
          addresses: [{ ip: '10.244.1.2', nodeName: 'node-1', targetRef: ref('a') }],
          notReadyAddresses: [{ ip: '10.244.1.3', nodeName: 'node-1', targetRef: ref('b') }],
          ports: http,
        },
      ],
    },
    {
      name: 'lists unready pods as ready with publishNotReadyAddresses, terminating ones too',
      service: service({ publishNotReadyAddresses: true }),
      pods: [pod('a', { ip: '10.244.1.2', ready: false }), pod('b', { ip: '10.244.1.3', deleting: true })],
      want: [
        {
          addresses: [
            { ip: '10.244.1.2', nodeName: 'node-1', targetRef: ref('a') },
            { ip: '10.244.1.3', nodeName: 'node-1', targetRef: ref('b') },
          ],
          ports: http,
        },
      ],
    },
    {
      name: 'leaves out terminating, terminal, IP-less, non-matching and other-namespace pods',
      service: service(),
      pods: [
        pod('ok', { ip: '10.244.1.2' }),
        pod('deleting', { ip: '10.244.1.3', deleting: true }),
        pod('done', { ip: '10.244.1.4', phase: 'Succeeded' }),
        pod('failed', { ip: '10.244.1.5', phase: 'Failed' }),
        pod('noip', { ip: '' }),
        pod('other', { ip: '10.244.1.6', labels: { app: 'db' } }),
        pod('elsewhere', { ip: '10.244.1.7', namespace: 'prod' }),
      ],
      want: [{ addresses: [{ ip: '10.244.1.2', nodeName: 'node-1', targetRef: ref('ok') }], ports: http }],
    },
    {
      name: 'resolves a named targetPort per pod: different numbers give different subsets, pods without it are left out',
      service: service({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] }),
      pods: [
        pod('p1', { ip: '10.244.1.2', ports: [{ name: 'web', containerPort: 3000 }] }),
        pod('p2', { ip: '10.244.1.3', ports: [{ name: 'web', containerPort: 3001 }] }),
        pod('p3', { ip: '10.244.1.4', ports: [{ name: 'other', containerPort: 3000 }] }),
      ],
      want: [
        {
          addresses: [{ ip: '10.244.1.2', nodeName: 'node-1', targetRef: ref('p1') }],
          ports: [{ name: 'http', port: 3000, protocol: 'TCP' }],
        },
        {
          addresses: [{ ip: '10.244.1.3', nodeName: 'node-1', targetRef: ref('p2') }],
          ports: [{ name: 'http', port: 3001, protocol: 'TCP' }],
        },
      ],
    },
    {
      name: 'packs several ports of the same pods into one subset',
      service: service({
        ports: [
          { name: 'metrics', port: 9090, protocol: 'TCP' },
          { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        ],
      }),
      pods: [pod('a', { ip: '10.244.1.2' }), pod('b', { ip: '10.244.1.3' })],
      want: [
        {
          addresses: [
            { ip: '10.244.1.2', nodeName: 'node-1', targetRef: ref('a') },
            { ip: '10.244.1.3', nodeName: 'node-1', targetRef: ref('b') },
          ],
          ports: [
            { name: 'http', port: 8080, protocol: 'TCP' },
            { name: 'metrics', port: 9090, protocol: 'TCP' },
          ],
        },
      ],
    },
    {
      name: 'omits an empty port name and defaults targetPort to port',
      service: service({ ports: [{ port: 8080 }] }),
      pods: [pod('a', { ip: '10.244.1.2' })],
      want: [
        {
          addresses: [{ ip: '10.244.1.2', nodeName: 'node-1', targetRef: ref('a') }],
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
      ],
    },
    {
      name: 'gives a headless service without ports subsets without ports, with hostnames for its subdomain',
      service: service({ ports: [], clusterIP: 'None' }),
      pods: [
        pod('a', { ip: '10.244.1.2', hostname: 'a', subdomain: 'web' }),
        pod('b', { ip: '10.244.1.3', hostname: 'b' }),
      ],
      want: [
        {
          addresses: [
            { ip: '10.244.1.2', hostname: 'a', nodeName: 'node-1', targetRef: ref('a') },
            { ip: '10.244.1.3', nodeName: 'node-1', targetRef: ref('b') },
          ],
        },
      ],
    },
    {
      name: 'is empty when the selector matches nothing',
      service: service({ selector: { app: 'none' } }),
      pods: [pod('a')],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(desiredSubsets(c.service, c.pods)).toEqual(c.want);
    });
  }
});

describe('reconcileEndpoints', () => {
  it('creates Endpoints with the service labels and no subsets for an empty match', () => {
    const plan = reconcileEndpoints(service({}, { labels: { tier: 'front' } }), [], undefined);
    expect(plan).toEqual({
      action: 'create',
      endpoints: {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'web', namespace: 'default', labels: { tier: 'front' } },
      },
    });
  });

  it('labels the Endpoints of a headless service', () => {
    const plan = reconcileEndpoints(service({ clusterIP: 'None' }), [], undefined);
    expect(plan.action === 'create' && plan.endpoints.metadata.labels).toEqual({
      'service.kubernetes.io/headless': '',
    });
  });

  it('writes nothing when the existing object already matches, metadata noise aside', () => {
    const created = reconcileEndpoints(service(), [pod('a')], undefined);
    if (created.action !== 'create') throw new Error('expected create');
    const existing: Endpoints = {
      ...created.endpoints,
      metadata: {
        ...created.endpoints.metadata,
        uid: 'x',
        resourceVersion: '42',
        creationTimestamp: '2025-01-01T00:00:00Z',
        labels: {},
      },
    };
    expect(reconcileEndpoints(service(), [pod('a')], existing)).toEqual({ action: 'none' });
  });

  it('updates subsets and keeps the existing metadata', () => {
    const existing: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default', uid: 'ep-uid', resourceVersion: '7', annotations: { a: 'b' } },
      subsets: [{ addresses: [{ ip: '10.244.9.9' }], ports: http }],
    };
    const plan = reconcileEndpoints(service(), [], existing);
    expect(plan).toEqual({
      action: 'update',
      endpoints: {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'web', namespace: 'default', uid: 'ep-uid', resourceVersion: '7', annotations: { a: 'b' } },
      },
    });
  });

  it('truncates past 1000 addresses with the over-capacity annotation, and drops it once under', () => {
    const many = Array.from({ length: 1200 }, (_, i) => pod(`p${i}`, { ip: `10.244.${i >> 8}.${i & 255}` }));
    const created = reconcileEndpoints(service(), many, undefined);
    if (created.action !== 'create') throw new Error(`expected create, got ${created.action}`);
    expect(created.endpoints.metadata.annotations).toEqual({ 'endpoints.kubernetes.io/over-capacity': 'truncated' });
    expect(created.endpoints.subsets?.[0]?.addresses).toHaveLength(1000);
    const existing = { ...created.endpoints, metadata: { ...created.endpoints.metadata, resourceVersion: '3' } };
    expect(reconcileEndpoints(service(), many, existing)).toEqual({ action: 'none' });
    const fewer = reconcileEndpoints(service(), many.slice(0, 10), existing);
    if (fewer.action !== 'update') throw new Error(`expected update, got ${fewer.action}`);
    expect(fewer.endpoints.metadata.annotations).toBeUndefined();
    expect(fewer.endpoints.subsets?.[0]?.addresses).toHaveLength(10);
  });

  it('deletes the Endpoints of a deleted service and leaves selector-less services alone', () => {
    const existing: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default' },
    };
    expect(reconcileEndpoints(undefined, [], existing)).toEqual({ action: 'delete', endpoints: existing });
    expect(reconcileEndpoints(undefined, [], undefined)).toEqual({ action: 'none' });
    expect(reconcileEndpoints(service({ selector: undefined }), [pod('a')], existing)).toEqual({ action: 'none' });
    expect(reconcileEndpoints(service({ selector: {} }), [pod('a')], undefined)).toEqual({ action: 'none' });
  });
});

describe('desiredSubsets ordering', () => {
  it('orders by address then uid and keeps one entry per address and uid, on generated pods', () => {
    let s = 11;
    const rnd = (n: number) => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s % n;
    };
    for (let round = 0; round < 100; round++) {
      // Repeated names (one uid) and shared addresses, as the sort's ties.
      const pods = Array.from({ length: rnd(40) }, () => {
        const p = pod(`p${rnd(25)}`, { ip: `10.244.${rnd(2)}.${rnd(15)}`, ready: rnd(3) > 0 });
        return { ...p, metadata: { ...p.metadata, uid: `u${rnd(30)}` } };
      });
      // The definition: de-duplicated by ip/uid (the last one, in the first one's place), then sorted.
      const unique = new Map<string, Pod>();
      for (const p of pods) unique.set(`${p.status?.podIP}/${p.metadata.uid}`, p);
      const want = [...unique.values()].sort(
        (a, b) =>
          compareIPv4(a.status?.podIP ?? '', b.status?.podIP ?? '') ||
          (a.metadata.uid ?? '').localeCompare(b.metadata.uid ?? ''),
      );
      const isReady = (p: Pod) => p.status?.conditions?.[0]?.status === 'True';
      const ids = (list: { ip: string; targetRef?: { uid?: string } }[] | undefined) =>
        (list ?? []).map((a) => `${a.ip}/${a.targetRef?.uid}`);
      const [subset] = desiredSubsets(service(), pods);
      const byId = (list: Pod[]) => list.map((p) => `${p.status?.podIP}/${p.metadata.uid}`);
      expect(ids(subset?.addresses)).toEqual(byId(want.filter(isReady)));
      expect(ids(subset?.notReadyAddresses)).toEqual(byId(want.filter((p) => !isReady(p))));
    }
  });
});
