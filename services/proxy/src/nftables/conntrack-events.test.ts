import { describe, expect, it } from 'vitest';
import { parseConntrackEntry, parseConntrackEvent } from './conntrack-events.js';
import { CAPTURED } from './testing/conntrack-capture.js';

describe('parseConntrackEvent', () => {
  it('parses a NEW TCP event with timestamp, state, both directions and id', () => {
    expect(parseConntrackEvent(CAPTURED.tcpNew)).toEqual({
      type: 'NEW',
      timeMs: 1796623096407,
      protocol: 'tcp',
      state: 'SYN_SENT',
      original: { src: '10.244.200.2', dst: '10.96.0.10', sport: 42662, dport: 80 },
      reply: { src: '10.244.200.3', dst: '10.244.200.2', sport: 8080, dport: 42662 },
      unreplied: true,
      assured: false,
      id: 2846029145,
    });
  });

  it('parses a UDP DESTROY with counters in both directions and its lifetime', () => {
    const e = parseConntrackEvent(CAPTURED.udpDestroy);
    expect(e?.type).toBe('DESTROY');
    expect(e?.state).toBeUndefined();
    expect(e?.original).toEqual({
      src: '10.244.200.2',
      dst: '10.96.0.11',
      sport: 54763,
      dport: 53,
      packets: 2,
      bytes: 64,
    });
    expect(e?.reply).toEqual({
      src: '10.244.200.3',
      dst: '10.244.200.2',
      sport: 8080,
      dport: 54763,
      packets: 2,
      bytes: 84,
    });
    expect(e?.deltaSeconds).toBe(0);
    expect(e?.unreplied).toBe(false);
  });

  it('parses the extended format and marks ASSURED', () => {
    const e = parseConntrackEvent(CAPTURED.extendedEstablished);
    expect(e?.protocol).toBe('tcp');
    expect(e?.state).toBe('ESTABLISHED');
    expect(e?.assured).toBe(true);
  });

  it('reads the conntrack mark the event mask set', () => {
    expect(parseConntrackEvent(CAPTURED.sampledNew)?.mark).toBe(0x8300_0000);
    expect(parseConntrackEvent(CAPTURED.tcpNew)?.mark).toBeUndefined();
  });

  it('ignores lines that are not events', () => {
    expect(parseConntrackEvent('conntrack v1.4.7 (conntrack-tools): 3 flow events have been shown.')).toBeUndefined();
    expect(parseConntrackEvent('')).toBeUndefined();
  });
});

describe('parseConntrackEntry', () => {
  it('parses a listed entry with its state, counters in both directions and id', () => {
    expect(parseConntrackEntry(CAPTURED.listedTimeWait)).toEqual({
      type: 'UPDATE',
      protocol: 'tcp',
      state: 'TIME_WAIT',
      original: { src: '127.0.0.1', dst: '127.0.0.1', sport: 37712, dport: 8080, packets: 4, bytes: 216 },
      reply: { src: '127.0.0.1', dst: '127.0.0.1', sport: 8080, dport: 37712, packets: 4, bytes: 218 },
      unreplied: false,
      assured: true,
      mark: 0,
      id: 1100728056,
    });
  });

  it('ignores the summary line', () => {
    expect(parseConntrackEntry('conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.')).toBeUndefined();
  });
});
