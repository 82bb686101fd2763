import type { FaultEventData } from '@kemu/chaos';
import type { ConnectionFlow } from '@kemu/flows';
import { describe, expect, it } from 'vitest';
import { buildChaosTimeline } from './chaos-timeline.js';
import { type Transition, transitionsOf } from './chaos-transitions.js';

const fault: FaultEventData = {
  experiment: 'e',
  id: 'f1',
  reason: 'ChaosInjected',
  action: 'pod-kill',
  target: 'pod default/web-1',
  node: 'node-1',
  pod: { namespace: 'default', name: 'web-1', ip: '10.0.1.1' },
  atMs: 1000,
  startMs: 1000,
  logBefore: 10,
};

const slice = (ips: string[]) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  endpoints: ips.map((ip) => ({
    addresses: [ip],
    nodeName: ip === '10.0.1.1' ? 'node-1' : 'node-2',
    conditions: { ready: true },
  })),
});

const conn = (o: Partial<ConnectionFlow>): ConnectionFlow => ({
  kind: 'conn',
  v: 1,
  protocol: 'TCP',
  node: 'node-2',
  mode: 'userspace',
  client: '10.0.2.9:1',
  clusterIP: '10.96.0.1',
  port: 80,
  service: 'default/web:http',
  sliceVersions: [],
  programmedAtSeq: 0,
  candidates: [],
  tried: [],
  reason: 'round-robin',
  result: 'ok',
  bytesIn: 0,
  bytesOut: 0,
  startedAt: 0,
  durationMs: 1,
  ...o,
});

describe('transitionsOf', () => {
  it('tells which ready endpoints left or joined a slice, with their nodes', () => {
    const [t] = transitionsOf({
      seq: 12,
      time: new Date(1200),
      type: 'MODIFIED',
      key: { resource: 'endpointslices', namespace: 'default', name: 'web-x' },
      object: slice(['10.0.2.1']) as never,
      old: slice(['10.0.1.1', '10.0.2.1']) as never,
    });
    expect(t).toEqual({
      kind: 'slice',
      seq: 12,
      at: 1200,
      service: 'default/web',
      slice: 'web-x',
      removed: [{ ip: '10.0.1.1', node: 'node-1' }],
      added: [],
      ready: 1,
      readyBefore: 2,
    });
  });
});

describe('buildChaosTimeline', () => {
  const transitions: Transition[] = [
    {
      kind: 'slice',
      seq: 9,
      at: 900,
      service: 'default/web',
      slice: 'web-x',
      removed: [],
      added: [{ ip: '10.0.1.1', node: 'node-1' }],
      ready: 2,
      readyBefore: 1,
    },
    { kind: 'fault', seq: 11, at: 1000, fault },
    { kind: 'pod', seq: 12, at: 1010, pod: 'default/web-1', node: 'node-1', ip: '10.0.1.1', what: 'terminating' },
    {
      kind: 'slice',
      seq: 13,
      at: 1100,
      service: 'default/web',
      slice: 'web-x',
      removed: [{ ip: '10.0.1.1', node: 'node-1' }],
      added: [],
      ready: 1,
      readyBefore: 2,
    },
    {
      kind: 'fault',
      seq: 14,
      at: 1150,
      fault: { ...fault, reason: 'ChaosEndpointLeftProxy', atMs: 1150, proxyNode: 'node-2' },
    },
    {
      kind: 'slice',
      seq: 20,
      at: 3000,
      service: 'default/web',
      slice: 'web-x',
      removed: [],
      added: [{ ip: '10.0.1.2', node: 'node-1' }],
      ready: 2,
      readyBefore: 1,
    },
  ];
  const flows = [
    conn({ startedAt: 1050, result: 'refused', tried: ['10.0.1.1:80'], candidates: ['10.0.1.1:80', '10.0.2.1:80'] }),
    conn({
      startedAt: 1060,
      endpoint: '10.0.2.1:80',
      tried: ['10.0.1.1:80', '10.0.2.1:80'],
      reason: 'retry',
      candidates: ['10.0.1.1:80', '10.0.2.1:80'],
    }),
    conn({
      startedAt: 1200,
      endpoint: '10.0.2.1:80',
      tried: ['10.0.2.1:80'],
      candidates: ['10.0.2.1:80'],
      programmedAtSeq: 13,
    }),
  ];

  it('links a pod-kill to the pod, the endpoint leaving, the proxy dropping it, the failures and the recovery, on their lanes', () => {
    const t = buildChaosTimeline(transitions, flows, { seq: 100, ms: 5000 });
    expect(t.lanes).toEqual(['node:node-1', 'proxy:node-2', 'service:default/web']);
    expect(t.faults).toHaveLength(1);
    expect(t.faults[0]?.consequences.map((c) => `${c.lane} ${c.kind} ${c.at}`)).toEqual([
      'node:node-1 pod 1010',
      'service:default/web failed 1050',
      'service:default/web recovered 1060',
      'service:default/web retried 1060',
      'service:default/web endpoint-removed 1100',
      'proxy:node-2 proxy-dropped 1150',
      'proxy:node-2 proxy-programmed 1200',
      'service:default/web recovered 3000',
    ]);
  });

  it('shows at a past sequence only what had happened by then', () => {
    const t = buildChaosTimeline(transitions, flows, { seq: 12, ms: 1060 });
    expect(t.faults[0]?.consequences.map((c) => c.kind)).toEqual(['pod', 'failed']);
    expect(
      buildChaosTimeline(transitions, flows, { seq: 12, ms: 1070 }).faults[0]?.consequences.map((c) => c.what),
    ).toContain(
      '1 connection(s) to default/web failed on 10.0.1.1 and were retried by the proxy on another endpoint (first: node-2 to 10.0.2.1:80)',
    );
    expect(buildChaosTimeline(transitions, flows, { seq: 10, ms: 999 }).faults).toEqual([]);
  });
});
