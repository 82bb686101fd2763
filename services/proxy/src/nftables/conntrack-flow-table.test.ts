import { OVERLOAD_SAMPLE_EVERY } from '@kemu/flows';
import { describe, expect, it } from 'vitest';
import { sampledMark } from './conntrack-event-mask.js';
import { parseConntrackEvent } from './conntrack-events.js';
import {
  type ConntrackFlowTable,
  type FinishedFlow,
  createConntrackFlowTable,
  flowResult,
} from './conntrack-flow-table.js';
import type { ProgrammedPort } from './nftables-proxier.js';
import { UNUSED_UPDATES } from './conntrack-flow-source.js';
import { CAPTURED } from './testing/conntrack-capture.js';

const PORTS: Record<string, ProgrammedPort> = {
  '10.96.0.10:80/TCP': {
    servicePort: 'default/web:http',
    endpoints: ['10.244.200.3:8080', '10.244.200.4:8080'],
    sliceVersions: ['17'],
    programmedAtSeq: 40,
    sessionAffinity: false,
  },
  '10.96.0.11:53/UDP': {
    servicePort: 'kube-system/kube-dns:dns',
    endpoints: ['10.244.200.3:8080'],
    sliceVersions: ['9'],
    programmedAtSeq: 41,
    sessionAffinity: true,
  },
  '10.96.0.12:80/TCP': {
    servicePort: 'default/dead:http',
    endpoints: ['10.244.200.4:8080'],
    sliceVersions: ['3'],
    programmedAtSeq: 42,
    sessionAffinity: false,
  },
};

function tableOf(maxOpen?: number): ConntrackFlowTable {
  return createConntrackFlowTable({
    node: 'node-1',
    lookup: (ip, port, protocol) => PORTS[`${ip}:${port}/${protocol}`],
    ...(maxOpen ? { maxOpen } : {}),
  });
}

function feed(table: ConntrackFlowTable, ...lines: string[]): FinishedFlow[] {
  const out: FinishedFlow[] = [];
  for (const line of lines) {
    const e = parseConntrackEvent(line);
    const f = e && table.onEvent(e);
    if (f) out.push(f);
  }
  return out;
}

describe('createConntrackFlowTable', () => {
  it('records a TCP connection at TIME_WAIT in the userspace format, its counters still to read', () => {
    expect(feed(tableOf(), CAPTURED.tcpNew, CAPTURED.tcpEstablished, CAPTURED.tcpTimeWait)).toEqual([
      {
        id: 2846029145,
        countersKnown: false,
        flow: {
          kind: 'conn',
          v: 1,
          protocol: 'TCP',
          node: 'node-1',
          mode: 'nftables',
          source: 'conntrack',
          client: '10.244.200.2:42662',
          clusterIP: '10.96.0.10',
          port: 80,
          service: 'default/web:http',
          sliceVersions: ['17'],
          programmedAtSeq: 40,
          candidates: ['10.244.200.3:8080', '10.244.200.4:8080'],
          tried: ['10.244.200.3:8080'],
          reason: 'random',
          endpoint: '10.244.200.3:8080',
          proxyAddress: '10.244.200.2:42662',
          result: 'ok',
          bytesIn: 0,
          bytesOut: 0,
          startedAt: 1796623096407,
          connectMs: 2,
          durationMs: 3,
        },
      },
    ]);
  });

  it('records a UDP flow at its DESTROY with the counters and ClientIP affinity as the reason', () => {
    const [f] = feed(tableOf(), CAPTURED.udpNew, CAPTURED.udpUpdate, CAPTURED.udpDestroy);
    expect(f?.countersKnown).toBe(true);
    expect(f?.flow).toMatchObject({
      protocol: 'UDP',
      service: 'kube-system/kube-dns:dns',
      endpoint: '10.244.200.3:8080',
      reason: 'session-affinity',
      result: 'ok',
      bytesIn: 64,
      bytesOut: 84,
      durationMs: 32,
    });
  });

  it('calls a SYN answered by an RST refused, with the endpoint that refused it', () => {
    const [f] = feed(tableOf(), CAPTURED.refusedNew, CAPTURED.refusedDestroy);
    expect(f?.flow).toMatchObject({ endpoint: '10.244.200.4:8080', result: 'refused', bytesIn: 60, bytesOut: 40 });
  });

  it('ignores flows to addresses no Service has and other protocols', () => {
    const table = tableOf();
    expect(feed(table, CAPTURED.unallocatedNew, CAPTURED.unallocatedDestroy, CAPTURED.igmpNew)).toEqual([]);
    expect(table.stats().open).toBe(0);
  });

  it('ignores a flow whose NEW it never saw', () => {
    expect(feed(tableOf(), CAPTURED.tcpEstablished, CAPTURED.tcpTimeWait)).toEqual([]);
  });

  it('samples new flows above half its bound and weighs the kept ones', () => {
    const table = tableOf(4);
    const newFlow = (i: number) => CAPTURED.tcpNew.replace('sport=42662', `sport=${i}`).replace(/id=\d+/, `id=${i}`);
    feed(table, ...Array.from({ length: 2 + OVERLOAD_SAMPLE_EVERY }, (_, i) => newFlow(i)));
    expect(table.stats()).toEqual({ open: 3, sampledOut: OVERLOAD_SAMPLE_EVERY - 1, evicted: 0 });
    const end = CAPTURED.tcpTimeWait.replace('sport=42662', 'sport=11').replace(/id=\d+/, 'id=11');
    expect(feed(table, end)[0]?.flow.weight).toBe(OVERLOAD_SAMPLE_EVERY);
  });

  it('weighs a flow the kernel sampled by its conntrack mark', () => {
    const marked = (line: string) => line.replace(' id=', ` mark=${sampledMark(8)} id=`);
    const [f] = feed(tableOf(), marked(CAPTURED.tcpNew), CAPTURED.tcpEstablished, CAPTURED.tcpTimeWait);
    expect(f?.flow.weight).toBe(8);
    expect(feed(tableOf(), CAPTURED.tcpNew, CAPTURED.tcpTimeWait)[0]?.flow.weight).toBeUndefined();
  });
});

describe('UNUSED_UPDATES', () => {
  it('drops the updates the table has no use for and keeps the ones it needs', () => {
    const line = (state: string) => CAPTURED.tcpEstablished.replace('ESTABLISHED', state);
    for (const state of ['SYN_RECV', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK'])
      expect(UNUSED_UPDATES.test(line(state))).toBe(true);
    expect(UNUSED_UPDATES.test(CAPTURED.udpUpdate)).toBe(true);
    for (const kept of [
      CAPTURED.tcpNew,
      CAPTURED.tcpEstablished,
      CAPTURED.tcpTimeWait,
      CAPTURED.udpNew,
      CAPTURED.udpDestroy,
    ])
      expect(UNUSED_UPDATES.test(kept)).toBe(false);
  });
});

describe('flowResult', () => {
  const event = (line: string, patch: (l: string) => string = (l) => l) => {
    const e = parseConntrackEvent(patch(line));
    if (!e) throw new Error('unparsed');
    return e;
  };

  it('calls an answered TCP flow that ended in CLOSE reset, and one that reached TIME_WAIT ok', () => {
    expect(
      flowResult(
        event(CAPTURED.tcpTimeWait, (l) => l.replace('TIME_WAIT', 'CLOSE')),
        true,
        true,
        true,
      ),
    ).toBe('reset');
    expect(flowResult(event(CAPTURED.tcpTimeWait), true, true, true)).toBe('ok');
  });

  it('calls a SYN nobody answered, and an unanswered UDP flow, timeout', () => {
    const synSent = event(CAPTURED.tcpNew, (l) => l.replace('[NEW]', '[DESTROY]'));
    expect(flowResult(synSent, false, true, true)).toBe('timeout');
    const udp = event(CAPTURED.udpNew, (l) => l.replace('[NEW]', '[DESTROY]'));
    expect(flowResult(udp, false, true, true)).toBe('timeout');
  });

  it('calls a flow nothing DNATed no-endpoints when the Service had none, refused otherwise', () => {
    expect(flowResult(event(CAPTURED.unallocatedDestroy), false, false, false)).toBe('no-endpoints');
    expect(flowResult(event(CAPTURED.unallocatedDestroy), false, false, true)).toBe('refused');
  });
});
