import type { EndpointSlice, Service } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import {
  MAX_ENDPOINTS_PER_SLICE,
  type SliceInput,
  isManagedSliceOf,
  reconcileEndpointSlices,
} from './reconcile-endpoint-slices.js';
import { pod, ref, service as webService } from './testing/fixtures.js';

// The Service sliced here: labelled, with one unnamed port.
function service(spec: Partial<Service['spec']> = {}, uid = 'svc-uid'): Service {
  return webService(
    { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
    { uid, labels: { tier: 'front' } },
  );
}
const zones: Record<string, string> = { 'node-1': 'zone-a' };
let counter = 0;
function input(over: Partial<SliceInput>): SliceInput {
  return {
    service: service(),
    pods: [],
    zoneOf: (n) => zones[n],
    existing: [],
    generateName: (prefix) => `${prefix}abcd${counter++ % 10}`,
    ...over,
  };
}
const labels = {
  tier: 'front',
  'kubernetes.io/service-name': 'web',
  'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
};
const owner = [
  { apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true },
];

describe('reconcileEndpointSlices', () => {
  it('creates one slice with conditions per pod, zone, nodeName and an unnamed port present as ""', () => {
    counter = 0;
    const plan = reconcileEndpointSlices(
      input({
        pods: [
          pod('b', { ip: '10.244.2.3', node: 'node-2', ready: false }),
          pod('a', { ip: '10.244.1.2' }),
          pod('t', { ip: '10.244.1.9', deleting: true }),
          pod('tu', { ip: '10.244.1.10', deleting: true, ready: false }),
          pod('done', { ip: '10.244.1.11', phase: 'Succeeded' }),
          pod('noip', { ip: '' }),
          pod('db', { ip: '10.244.1.12', labels: { app: 'db' } }),
        ],
      }),
    );
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.create).toEqual([
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-abcd0', namespace: 'default', generateName: 'web-', labels, ownerReferences: owner },
        addressType: 'IPv4',
        endpoints: [
          {
            addresses: ['10.244.1.2'],
            conditions: { ready: true, serving: true, terminating: false },
            targetRef: ref('a'),
            nodeName: 'node-1',
            zone: 'zone-a',
          },
          {
            addresses: ['10.244.1.9'],
            conditions: { ready: false, serving: true, terminating: true },
            targetRef: ref('t'),
            nodeName: 'node-1',
            zone: 'zone-a',
          },
          {
            addresses: ['10.244.1.10'],
            conditions: { ready: false, serving: false, terminating: true },
            targetRef: ref('tu'),
            nodeName: 'node-1',
            zone: 'zone-a',
          },
          {
            addresses: ['10.244.2.3'],
            conditions: { ready: false, serving: false, terminating: false },
            targetRef: ref('b'),
            nodeName: 'node-2',
          },
        ],
        ports: [{ name: '', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('calls every endpoint ready with publishNotReadyAddresses', () => {
    const plan = reconcileEndpointSlices(
      input({
        service: service({ publishNotReadyAddresses: true }),
        pods: [pod('a', { ready: false }), pod('t', { ip: '10.244.1.3', deleting: true })],
      }),
    );
    expect(plan.create[0]?.endpoints?.map((e) => e.conditions)).toEqual([
      { ready: true, serving: false, terminating: false },
      { ready: true, serving: true, terminating: true },
    ]);
  });

  it('creates one empty slice when the selector matches nothing, and labels a headless service', () => {
    const plan = reconcileEndpointSlices(
      input({ service: service({ clusterIP: 'None' }), pods: [pod('x', { labels: { app: 'x' } })] }),
    );
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0]?.endpoints).toEqual([]);
    expect(plan.create[0]?.ports).toEqual([]);
    expect(plan.create[0]?.metadata.labels?.['service.kubernetes.io/headless']).toBe('');
  });

  it('splits pods whose named targetPort resolves differently into one slice per port set', () => {
    const plan = reconcileEndpointSlices(
      input({
        service: service({ ports: [{ name: 'http', port: 80, targetPort: 'web' }] }),
        pods: [
          pod('p1', { ip: '10.244.1.2', ports: [{ name: 'web', containerPort: 3000 }] }),
          pod('p2', { ip: '10.244.1.3', ports: [{ name: 'web', containerPort: 3001 }] }),
        ],
      }),
    );
    expect(plan.create.map((s) => [s.ports, s.endpoints?.map((e) => e.addresses[0])])).toEqual([
      [[{ name: 'http', port: 3000, protocol: 'TCP' }], ['10.244.1.2']],
      [[{ name: 'http', port: 3001, protocol: 'TCP' }], ['10.244.1.3']],
    ]);
  });

  it('reuses the existing slice and its name, and writes nothing when it matches', () => {
    const first = reconcileEndpointSlices(input({ pods: [pod('a')] })).create[0] as EndpointSlice;
    const existing = {
      ...first,
      metadata: { ...first.metadata, uid: 'u', resourceVersion: '9', creationTimestamp: '2025-01-01T00:00:00Z' },
    };
    expect(reconcileEndpointSlices(input({ pods: [pod('a')], existing: [existing] }))).toEqual({
      create: [],
      update: [],
      delete: [],
    });

    const plan = reconcileEndpointSlices(
      input({ pods: [pod('a'), pod('b', { ip: '10.244.1.3' })], existing: [existing] }),
    );
    expect(plan.create).toEqual([]);
    expect(plan.update).toHaveLength(1);
    expect(plan.update[0]?.metadata).toMatchObject({ name: first.metadata.name, uid: 'u', resourceVersion: '9' });
    expect(plan.update[0]?.endpoints).toHaveLength(2);
  });

  it('keeps an empty slice when the last pod goes away', () => {
    const first = reconcileEndpointSlices(input({ pods: [pod('a')] })).create[0] as EndpointSlice;
    const plan = reconcileEndpointSlices(input({ pods: [], existing: [first] }));
    expect(plan.delete).toEqual([]);
    expect(plan.update.map((s) => [s.metadata.name, s.endpoints])).toEqual([[first.metadata.name, []]]);
  });

  it('deletes every slice of a deleted service, and slices owned by an older service of the same name', () => {
    const slice = reconcileEndpointSlices(input({ pods: [pod('a')] })).create[0] as EndpointSlice;
    expect(reconcileEndpointSlices(input({ service: undefined, existing: [slice] }))).toEqual({
      create: [],
      update: [],
      delete: [slice],
    });
    const recreated = reconcileEndpointSlices(
      input({ service: service({}, 'new-uid'), pods: [pod('a')], existing: [slice] }),
    );
    expect(recreated.delete).toEqual([slice]);
    expect(recreated.create[0]?.metadata.ownerReferences?.[0]?.uid).toBe('new-uid');
  });

  it('leaves the slices of a service without selector alone', () => {
    const slice = reconcileEndpointSlices(input({ pods: [pod('a')] })).create[0] as EndpointSlice;
    const empty = { create: [], update: [], delete: [] };
    expect(reconcileEndpointSlices(input({ service: service({ selector: undefined }), existing: [slice] }))).toEqual(
      empty,
    );
    expect(reconcileEndpointSlices(input({ service: service({ selector: {} }), pods: [pod('a')] }))).toEqual(empty);
  });

  it('deletes surplus slices', () => {
    const a = reconcileEndpointSlices(input({ pods: [pod('a')] })).create[0] as EndpointSlice;
    const b = { ...a, metadata: { ...a.metadata, name: 'web-zzzzz' } };
    const plan = reconcileEndpointSlices(input({ pods: [pod('a')], existing: [b, a] }));
    expect(plan.create).toEqual([]);
    expect(plan.delete.map((s) => s.metadata.name)).toHaveLength(1);
  });
});

describe('reconcileEndpointSlices at scale', () => {
  const pods = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) =>
      pod(`p${from + i}`, { ip: `10.244.${(from + i) >> 8}.${(from + i) & 255}` }),
    );
  const stored = (slices: EndpointSlice[]) =>
    slices.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `web-${String(i).padStart(5, '0')}` } }));
  const ips = (s: EndpointSlice | undefined) => (s?.endpoints ?? []).map((e) => e.addresses[0]);

  it(`packs a Service's endpoints into slices of at most ${MAX_ENDPOINTS_PER_SLICE}`, () => {
    const plan = reconcileEndpointSlices(input({ pods: pods(0, 250) }));
    expect(plan.create.map((s) => s.endpoints?.length)).toEqual([100, 100, 50]);
    expect(new Set(plan.create.flatMap(ips)).size).toBe(250);
  });

  it('rewrites only the slice that gains or loses an endpoint', () => {
    const existing = stored(reconcileEndpointSlices(input({ pods: pods(0, 250) })).create);
    const grown = reconcileEndpointSlices(input({ pods: pods(0, 251), existing }));
    expect(grown.create).toEqual([]);
    expect(grown.delete).toEqual([]);
    expect(grown.update.map((s) => [s.metadata.name, s.endpoints?.length])).toEqual([['web-00002', 51]]);

    const fewer = pods(0, 250).filter((p) => p.metadata.name !== 'p120');
    const shrunk = reconcileEndpointSlices(input({ pods: fewer, existing }));
    expect(shrunk.update.map((s) => s.metadata.name)).toEqual(['web-00001']);
    expect(ips(shrunk.update[0])).not.toContain(
      existing[1]?.endpoints?.find((e) => e.targetRef?.name === 'p120')?.addresses[0],
    );

    const full = stored(reconcileEndpointSlices(input({ pods: pods(0, 300) })).create);
    const overflow = reconcileEndpointSlices(input({ pods: pods(0, 301), existing: full }));
    expect(overflow.update).toEqual([]);
    expect(overflow.create.map(ips)).toEqual([[pods(300, 301)[0]?.status?.podIP]]);
  });

  it('deletes a slice left empty, and keeps one empty slice when nothing matches', () => {
    const existing = stored(reconcileEndpointSlices(input({ pods: pods(0, 150) })).create);
    const plan = reconcileEndpointSlices(input({ pods: pods(0, 100), existing }));
    expect(plan.update).toEqual([]);
    expect(plan.delete.map((s) => s.metadata.name)).toEqual(['web-00001']);
    const none = reconcileEndpointSlices(input({ pods: [], existing }));
    expect(none.update.map((s) => [s.metadata.name, s.endpoints])).toEqual([['web-00000', []]]);
    expect(none.delete.map((s) => s.metadata.name)).toEqual(['web-00001']);
  });
});

describe('isManagedSliceOf', () => {
  it('matches only slices labelled for the service and managed by this controller', () => {
    const slice = reconcileEndpointSlices(input({})).create[0] as EndpointSlice;
    expect(isManagedSliceOf(slice, 'default', 'web')).toBe(true);
    expect(isManagedSliceOf(slice, 'default', 'other')).toBe(false);
    expect(isManagedSliceOf(slice, 'prod', 'web')).toBe(false);
    const mirrored = {
      ...slice,
      metadata: { ...slice.metadata, labels: { ...labels, 'endpointslice.kubernetes.io/managed-by': 'someone-else' } },
    };
    expect(isManagedSliceOf(mirrored, 'default', 'web')).toBe(false);
  });
});
