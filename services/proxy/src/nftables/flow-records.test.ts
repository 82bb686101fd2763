import { describe, expect, it } from 'vitest';
import { parseConntrackEvent } from './conntrack-events.js';
import { type FlowRecord, createFlowRecorder } from './flow-records.js';
import { CAPTURED } from './testing/conntrack-capture.js';

function feed(...lines: string[]): FlowRecord[] {
  const recorder = createFlowRecorder({ node: 'node-1', isClusterIP: (ip) => ip.startsWith('10.96.') });
  const out: FlowRecord[] = [];
  for (const line of lines) {
    const e = parseConntrackEvent(line);
    const r = e && recorder.onEvent(e);
    if (r) out.push(r);
  }
  return out;
}

describe('createFlowRecorder', () => {
  it('records a TCP flow when it closes: client, ClusterIP, the DNAT target, ok, duration', () => {
    expect(feed(CAPTURED.tcpNew, CAPTURED.tcpEstablished, CAPTURED.tcpTimeWait)).toEqual([
      {
        node: 'node-1',
        protocol: 'tcp',
        client: '10.244.200.2:42662',
        service: '10.96.0.10:80',
        endpoint: '10.244.200.3:8080',
        result: 'ok',
        startMs: 1796623096407,
        durationMs: 3,
      },
    ]);
  });

  it('records a UDP flow at DESTROY with its bytes', () => {
    const [r] = feed(CAPTURED.udpNew, CAPTURED.udpUpdate, CAPTURED.udpDestroy);
    expect(r).toMatchObject({
      protocol: 'udp',
      endpoint: '10.244.200.3:8080',
      result: 'ok',
      bytesSent: 64,
      bytesReceived: 84,
    });
    expect(r?.durationMs).toBe(32);
  });

  it('tells a refused connection and a ClusterIP nothing DNATs', () => {
    expect(feed(CAPTURED.refusedNew, CAPTURED.refusedDestroy)[0]).toMatchObject({
      result: 'refused',
      endpoint: '10.244.200.4:8080',
    });
    const [unallocated] = feed(CAPTURED.unallocatedNew, CAPTURED.unallocatedDestroy);
    expect(unallocated?.result).toBe('no-endpoint');
    expect(unallocated?.endpoint).toBeUndefined();
  });

  it('ignores flows not addressed to a ClusterIP and events of flows it did not see start', () => {
    expect(feed(CAPTURED.igmpNew, CAPTURED.tcpTimeWait, CAPTURED.udpDestroy)).toEqual([]);
  });
});
