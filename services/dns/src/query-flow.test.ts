import { describe, expect, it } from 'vitest';
import { dnsFlowOf } from './query-flow.js';

describe('dnsFlowOf', () => {
  it('turns an answered query into a flow record with its answers and start time', () => {
    const flow = dnsFlowOf(
      {
        name: 'web.default.svc.cluster.local.',
        type: 'A',
        rcode: 'NOERROR',
        ms: 0.25,
        client: '10.244.1.5:5353',
        proto: 'udp',
        answers: ['10.96.0.50'],
      },
      'coredns-node-1',
      'node-1',
      1_000_000,
    );
    expect(flow).toEqual({
      kind: 'dns',
      v: 1,
      server: 'coredns-node-1',
      node: 'node-1',
      client: '10.244.1.5:5353',
      name: 'web.default.svc.cluster.local.',
      type: 'A',
      answers: ['10.96.0.50'],
      rcode: 'NOERROR',
      transport: 'udp',
      startedAt: 1_000_000,
      durationMs: 0.25,
    });
  });
});
