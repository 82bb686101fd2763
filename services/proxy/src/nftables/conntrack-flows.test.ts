import type { ConnectionFlow } from '@kemu/flows';
import { createLogger } from '@kemu/log';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EntryCounters } from './conntrack-counters.js';
import { parseConntrackEvent } from './conntrack-events.js';
import { createConntrackFlowTable } from './conntrack-flow-table.js';
import { type ConntrackFlows, createConntrackFlows } from './conntrack-flows.js';
import { CAPTURED } from './testing/conntrack-capture.js';

const log = createLogger({ component: 'test', level: 'silent' });
const ID = 2846029145;
const PORT = {
  servicePort: 'default/web:http',
  endpoints: ['10.244.200.3:8080'],
  sliceVersions: ['17'],
  programmedAtSeq: 40,
  sessionAffinity: false,
};

function setup(listing: Map<number, EntryCounters>, maxAwaiting?: number) {
  const records: ConnectionFlow[] = [];
  let listings = 0;
  const flows: ConntrackFlows = createConntrackFlows({
    table: createConntrackFlowTable({ node: 'node-1', lookup: () => PORT }),
    readCounters: async () => {
      listings++;
      return listing;
    },
    record: (f) => records.push(f),
    log,
    minListingGapMs: 50,
    ...(maxAwaiting !== undefined ? { maxAwaiting } : {}),
  });
  const feed = (...lines: string[]) => {
    for (const line of lines) {
      const e = parseConntrackEvent(line);
      if (e) flows.onEvent(e);
    }
  };
  return { flows, records, feed, listings: () => listings };
}

describe('createConntrackFlows', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds a TCP flow that ended in TIME_WAIT until a listing gives its counters', async () => {
    const s = setup(new Map([[ID, { bytesIn: 300, bytesOut: 900 }]]));
    s.feed(CAPTURED.tcpNew, CAPTURED.tcpEstablished, CAPTURED.tcpTimeWait);
    expect(s.records).toEqual([]);
    expect(s.flows.stats().awaitingCounters).toBe(1);
    await vi.advanceTimersByTimeAsync(60);
    expect(s.listings()).toBe(1);
    expect(s.records).toMatchObject([{ endpoint: '10.244.200.3:8080', result: 'ok', bytesIn: 300, bytesOut: 900 }]);
    expect(s.flows.stats()).toMatchObject({ recorded: 1, awaitingCounters: 0, countersMissing: 0 });
  });

  it('takes the counters of a DESTROY that comes before the listing', async () => {
    const s = setup(new Map());
    const destroy = CAPTURED.tcpTimeWait
      .replace('[UPDATE]', '[DESTROY]')
      .replace('dport=80 src=', 'dport=80 packets=5 bytes=320 src=')
      .replace('dport=42662 [ASSURED]', 'dport=42662 packets=4 bytes=400 [ASSURED]');
    s.feed(CAPTURED.tcpNew, CAPTURED.tcpEstablished, CAPTURED.tcpTimeWait, destroy);
    expect(s.records).toMatchObject([{ bytesIn: 320, bytesOut: 400 }]);
    await vi.advanceTimersByTimeAsync(60);
    expect(s.listings()).toBe(0);
    expect(s.records).toHaveLength(1);
  });

  it('records a flow the listing does not have without bytes, and counts it', async () => {
    const s = setup(new Map());
    s.feed(CAPTURED.tcpNew, CAPTURED.tcpTimeWait);
    await vi.advanceTimersByTimeAsync(60);
    expect(s.records).toMatchObject([{ bytesIn: 0, bytesOut: 0 }]);
    expect(s.flows.stats().countersMissing).toBe(1);
  });

  it('records at once, without bytes, a flow beyond the bound of flows awaiting counters', () => {
    const s = setup(new Map(), 0);
    s.feed(CAPTURED.tcpNew, CAPTURED.tcpTimeWait);
    expect(s.records).toHaveLength(1);
    expect(s.flows.stats()).toMatchObject({ countersMissing: 1, awaitingCounters: 0 });
  });

  it('records what still waits when it stops, and lists no more', async () => {
    const s = setup(new Map());
    s.feed(CAPTURED.tcpNew, CAPTURED.tcpTimeWait);
    s.flows.stop();
    expect(s.records).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(s.listings()).toBe(0);
  });
});
