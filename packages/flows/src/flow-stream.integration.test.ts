import { createLogger } from '@kemu/log';
import { startEventLogFixture } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { createFlowRecorder } from './flow-recorder.js';
import type { ConnectionFlow, DnsFlow, StoredFlow } from './flow-record.js';
import { FLOW_STREAM, flowSubject } from './subjects.js';
import { ensureFlowStream, readFlows } from './flow-stream.js';

const log = createLogger({ component: 'test', level: 'silent' });

function conn(i: number): ConnectionFlow {
  return {
    kind: 'conn',
    v: 1,
    protocol: 'TCP',
    node: 'node-1',
    mode: 'userspace',
    client: `10.244.1.5:${40000 + i}`,
    clusterIP: '10.96.0.20',
    port: 80,
    service: 'default/web',
    sliceVersions: ['7'],
    programmedAtSeq: 7,
    candidates: ['10.244.1.6:8080', '10.244.2.6:8080'],
    tried: ['10.244.1.6:8080'],
    reason: 'round-robin',
    endpoint: '10.244.1.6:8080',
    result: 'ok',
    bytesIn: 10,
    bytesOut: 20,
    startedAt: 1_700_000_000_000 + i,
    durationMs: 3,
  };
}

const dns: DnsFlow = {
  kind: 'dns',
  v: 1,
  server: 'coredns-0',
  node: 'node-1',
  client: '10.244.1.5:5353',
  name: 'web.default.svc.cluster.local.',
  type: 'A',
  answers: ['10.96.0.20'],
  rcode: 'NOERROR',
  transport: 'udp',
  startedAt: 1_700_000_000_500,
  durationMs: 0,
};

describe('flow stream', () => {
  it('stores recorded flows in batches that a reader gets back in order, bounded by limits', async () => {
    await using fx = await startEventLogFixture();
    const { js, jsm } = fx.eventLog;
    await ensureFlowStream(jsm, { maxAgeMs: 60_000, maxBytes: 1_000_000 });
    await ensureFlowStream(jsm);
    const info = await jsm.streams.info(FLOW_STREAM);
    expect(info.config.max_bytes).toBe(1_000_000);
    expect(info.config.max_age).toBe(60_000 * 1_000_000);

    const recorder = createFlowRecorder({
      publish: (data) => js.publish(flowSubject('conn', 'node-1'), data),
      log,
      maxBatch: 50,
    });
    for (let i = 0; i < 120; i++) recorder.record(conn(i));
    const dnsRecorder = createFlowRecorder({ publish: (data) => js.publish(flowSubject('dns', 'node-1'), data), log });
    dnsRecorder.record(dns);
    await recorder.stop();
    await dnsRecorder.stop();
    expect(recorder.stats()).toMatchObject({ recorded: 120, published: 120, sampledOut: 0 });

    const got: StoredFlow[] = [];
    for await (const f of readFlows(js, jsm)) got.push(f);
    expect(got).toHaveLength(121);
    const conns = got.filter((f) => f.record.kind === 'conn');
    expect(conns.map((f) => (f.record as ConnectionFlow).client)).toEqual(
      Array.from({ length: 120 }, (_, i) => `10.244.1.5:${40000 + i}`),
    );
    expect(new Set(conns.map((f) => f.seq)).size).toBe(3);
    expect(got.find((f) => f.record.kind === 'dns')?.record).toEqual(dns);

    const later: StoredFlow[] = [];
    for await (const f of readFlows(js, jsm, { fromSeq: 3 })) later.push(f);
    expect(later.every((f) => f.seq >= 3)).toBe(true);
    expect(later.length).toBeGreaterThan(0);
  });

  it('samples and counts instead of queueing without bound when publishing stalls', async () => {
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((r) => {
      release = r;
    });
    const batches: number[] = [];
    const recorder = createFlowRecorder({
      publish: async (data) => {
        batches.push(data.length);
        await stalled;
      },
      log,
      maxQueue: 100,
      maxBatch: 10,
      flushMs: 1,
    });
    for (let i = 0; i < 1000; i++) recorder.record(conn(i));
    const s = recorder.stats();
    expect(s.recorded).toBe(1000);
    expect(s.queued).toBeLessThanOrEqual(100);
    expect(s.sampledOut).toBeGreaterThan(800);
    release();
    await recorder.stop();
    expect(recorder.stats().published + recorder.stats().sampledOut).toBe(1000);
  });
});
