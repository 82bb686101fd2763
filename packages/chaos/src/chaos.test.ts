import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { ExperimentInvalidError } from './errors.js';
import type { TimelineInput } from './event-timeline.js';
import { parseExperiment } from './experiment.js';
import { percentile, recoveryTime, summarizeProbe } from './probe-summary.js';
import type { ProbeRecord } from './probe-worker.js';
import { selectTargets } from './select-targets.js';

const podKill = `apiVersion: chaos.kemu.dev/v1alpha1
kind: PodChaos
metadata:
  name: web-pod-kill
spec:
  action: pod-kill
  mode: one
  selector:
    namespace: default
    labelSelectors:
      app: web
  schedule:
    every: 5s
    duration: 60s
  steadyState:
    url: http://web/
    rate: 50
    successThreshold: 99.9
`;

function invalidField(text: string): string {
  try {
    parseExperiment(text);
  } catch (err) {
    if (err instanceof ExperimentInvalidError) return err.field;
    throw err;
  }
  throw new Error('expected ExperimentInvalidError');
}

describe('parseDuration', () => {
  it('reads ms, s, m, h and sums', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('five')).toBeUndefined();
    expect(parseDuration('5')).toBeUndefined();
  });
});

describe('parseExperiment', () => {
  it('reads a pod-kill experiment with defaults', () => {
    const e = parseExperiment(podKill);
    expect(e).toMatchObject({
      name: 'web-pod-kill',
      kind: 'PodChaos',
      action: 'pod-kill',
      mode: 'one',
      everyMs: 5_000,
      durationMs: 60_000,
      gracePeriodSeconds: undefined,
      selector: { namespace: 'default', labelSelectors: { app: 'web' }, nodes: [], components: [] },
      steadyState: { url: 'http://web/', rate: 50, successThreshold: 99.9, node: 'node-1', timeoutMs: 2_000 },
    });
  });

  it('names the field of every error', () => {
    expect(invalidField(podKill.replace('pod-kill\n  mode', 'pod-explode\n  mode'))).toBe('spec.action');
    expect(invalidField(podKill.replace('every: 5s', 'every: soon'))).toBe('spec.schedule.every');
    expect(invalidField(podKill.replace('rate: 50', 'rate: fast'))).toBe('spec.steadyState.rate');
    expect(invalidField(podKill.replace('mode: one', 'mode: fixed'))).toBe('spec.value');
    expect(
      invalidField(
        podKill.replace('      app: web\n', '      {}\n').replace('labelSelectors:\n      {}', 'labelSelectors: {}'),
      ),
    ).toBe('spec.selector.labelSelectors');
    expect(invalidField(podKill.replace('  mode: one', '  mood: one'))).toBe('spec.mood');
    expect(invalidField(podKill.replace('kind: PodChaos', 'kind: TimeChaos'))).toBe('(file).kind');
    expect(invalidField(podKill.replace('    successThreshold: 99.9\n', ''))).toBe('spec.steadyState.successThreshold');
    expect(invalidField(podKill.replace('  mode: one', '  duration: 5s'))).toBe('spec.duration');
  });

  it('needs components for ProcessChaos and a fault duration for a partition', () => {
    const proc = podKill
      .replace('kind: PodChaos', 'kind: ProcessChaos')
      .replace('action: pod-kill', 'action: component-kill');
    expect(invalidField(proc.replace('      app: web\n', '').replace('    labelSelectors:\n', ''))).toBe(
      'spec.selector.components',
    );
    const ok = parseExperiment(
      proc.replace('    labelSelectors:\n      app: web\n', '    components: [proxy]\n    nodes: [node-2]\n'),
    );
    expect(ok.selector).toMatchObject({ components: ['proxy'], nodes: ['node-2'] });
    const part = podKill.replace('kind: PodChaos', 'kind: NodeChaos').replace('action: pod-kill', 'action: partition');
    expect(invalidField(part)).toBe('spec.duration');
    expect(invalidField(part.replace('  mode: one', '  duration: 20s'))).toBe('spec.duration');
    expect(parseExperiment(part.replace('  mode: one', '  duration: 5s')).faultDurationMs).toBe(5_000);
  });

  it('takes hollow nodes by name in a selector, and nothing else that is not a node name', () => {
    const kill = podKill
      .replace('kind: PodChaos', 'kind: NodeChaos')
      .replace('action: pod-kill', 'action: node-kill')
      .replace('    labelSelectors:\n      app: web\n', '    nodes: [hollow-7, node-1]\n');
    expect(parseExperiment(kill).selector.nodes).toEqual(['hollow-7', 'node-1']);
    expect(invalidField(kill.replace('hollow-7', 'web-7'))).toBe('spec.selector.nodes[0]');
  });
});

describe('selectTargets', () => {
  it('picks one, all, a fixed count or a percentage', () => {
    const c = ['a', 'b', 'c', 'd'];
    expect(selectTargets(c, 'one', 1, () => 0.6)).toEqual(['c']);
    expect(selectTargets(c, 'all', 1)).toHaveLength(4);
    expect(new Set(selectTargets(c, 'fixed', 3))).toHaveProperty('size', 3);
    expect(selectTargets(c, 'fixed-percent', 50)).toHaveLength(2);
    expect(selectTargets(c, 'fixed-percent', 1)).toHaveLength(1);
    expect(selectTargets([], 'all', 1)).toEqual([]);
  });
});

describe('probe summary', () => {
  const rec = (start: number, ok: boolean, latencyMs = 2, cause?: string): ProbeRecord => ({
    id: `r-${start}`,
    start,
    latencyMs,
    status: ok ? 200 : 0,
    ok,
    ...(cause ? { cause } : {}),
  });

  it('counts failures by cause and gives nearest-rank percentiles', () => {
    const s = summarizeProbe([rec(0, true, 1), rec(20, true, 3), rec(40, false, 9, 'reset'), rec(60, true, 5)]);
    expect(s).toMatchObject({ sent: 4, succeeded: 3, failed: 1, failedByCause: { reset: 1 }, successPercent: 75 });
    expect(s.latencyMs).toEqual({ p50: 3, p99: 5, max: 5 });
    expect(percentile([], 50)).toBe(0);
  });

  it('times recovery to the first success followed by a steady window', () => {
    const rs = [rec(1000, false), rec(1020, true), rec(1040, false), rec(1060, true), rec(1080, true), rec(1100, true)];
    expect(recoveryTime(rs, 1000, 30, 5000)).toBe(60);
    expect(recoveryTime([rec(1000, false)], 1000, 30, 5000)).toBeUndefined();
    expect(recoveryTime(rs, 1050, 30, 5000)).toBe(10);
  });
});

describe('infra/chaos experiments', () => {
  it('parse, one per kind of fault', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    const dir = fileURLToPath(new URL('../../../infra/chaos/', import.meta.url));
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml') && f !== 'web.yaml');
    const actions = new Set<string>();
    for (const f of files) actions.add(parseExperiment(await readFile(`${dir}${f}`, 'utf8')).action);
    expect([...actions].sort()).toEqual(
      ['component-kill', 'container-kill', 'latency', 'loss', 'node-kill', 'partition', 'pause', 'pod-kill'].sort(),
    );
  });
});

describe('interpretEvents and faultSequences', () => {
  type Entry = TimelineInput;
  let seq = 9;
  const entry = (
    type: Entry['type'],
    resource: string,
    name: string,
    object: unknown,
    old: unknown,
    uid = `uid-${name}`,
  ): Entry => ({
    seq: ++seq,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
    type,
    actor: { component: 'controller' },
    key: { resource, namespace: resource === 'nodes' ? '' : 'default', name },
    uid,
    object: object as never,
    old: old as never,
  });
  const pod = (ready: boolean, extra: object = {}) => ({
    metadata: { name: 'web-1', ...extra },
    spec: { nodeName: 'node-2' },
    status: { podIP: '10.244.2.5', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const slice = (ready: string[], notReady: string[] = []) => ({
    metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: [
      ...ready.map((a) => ({ addresses: [a], conditions: { ready: true } })),
      ...notReady.map((a) => ({ addresses: [a], conditions: { ready: false, terminating: true } })),
    ],
  });
  const endpoints = (ips: string[], notReady: string[] = []) => ({
    metadata: { name: 'web' },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), notReadyAddresses: notReady.map((ip) => ({ ip })) }],
  });
  const node = (ready: boolean) => ({
    metadata: { name: 'node-2' },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const killed = '10.244.2.5';
  const both = ['10.244.1.2', killed];
  const entries = (): Entry[] => {
    seq = 9;
    return [
      entry('MODIFIED', 'pods', 'web-1', pod(true, { deletionTimestamp: 'x' }), pod(true)),
      entry('MODIFIED', 'endpointslices', 'web-abc', slice(['10.244.1.2'], [killed]), slice(both)),
      entry('MODIFIED', 'endpoints', 'web', endpoints(['10.244.1.2'], [killed]), endpoints(both)),
      entry('MODIFIED', 'pods', 'web-1', pod(false, { deletionTimestamp: 'x' }), pod(true, { deletionTimestamp: 'x' })),
      entry('DELETED', 'pods', 'web-1', pod(false), pod(false)),
      entry('MODIFIED', 'nodes', 'node-2', node(false), node(true)),
      entry('MODIFIED', 'leases', 'node-2', {}, {}),
      entry('ADDED', 'pods', 'web-4', { metadata: { name: 'web-4' } }, undefined),
      // A change that leaves the ready endpoints as they were is not a timeline entry.
      entry('MODIFIED', 'endpointslices', 'web-abc', slice(['10.244.1.2'], [killed]), slice(['10.244.1.2'], [killed])),
    ];
  };

  it('tells terminating, NotReady, deleted, created, endpoint and node changes against the previous version', async () => {
    const { interpretEvents } = await import('./event-timeline.js');
    const out = interpretEvents(entries(), { namespaces: ['default'], service: { namespace: 'default', name: 'web' } });
    expect(out.map((e) => `${e.seq} ${e.object}: ${e.what}`)).toEqual([
      '10 pod default/web-1: terminating',
      '11 endpointslice default/web-abc: ready endpoints [10.244.1.2]',
      '13 pod default/web-1: NotReady',
      '14 pod default/web-1: deleted',
      '15 node node-2: NotReady',
      '17 pod default/web-4: created',
    ]);
    expect(out[0]?.at).toBe(Date.UTC(2026, 0, 1, 0, 0, 10));
  });

  it('places a pod fault inside the log where its endpoint has left Endpoints and EndpointSlices', async () => {
    const { endpointGoneSeq, faultSequences } = await import('./fault-sequences.js');
    const service = { namespace: 'default', name: 'web' };
    const log = entries();
    // The slice drops it at 11, the Endpoints at 12: only from 12 on does neither list it.
    expect(endpointGoneSeq(log, service, killed, 9)).toBe(12);
    expect(endpointGoneSeq(log, service, '10.244.1.2', 9)).toBeUndefined();
    expect(endpointGoneSeq(log, service, killed, 12)).toBeUndefined();
    expect(faultSequences({ before: 9, start: 10, lastInside: 10, end: 10 }, log, service, killed)).toEqual({
      before: 9,
      start: 10,
      end: 10,
      replayAt: 12,
    });
    // A timed fault: the last sequence before the undo; one not ended says so.
    expect(faultSequences({ before: 9, start: 10, lastInside: 16, end: 18 }, log, service, undefined)).toEqual({
      before: 9,
      start: 10,
      end: 18,
      replayAt: 16,
    });
    expect(faultSequences({ before: 9, start: 10 }, log, service, undefined)).toEqual({
      before: 9,
      start: 10,
      end: null,
      replayAt: 10,
    });
  });
});

describe('componentTargets', () => {
  it('lists control-plane components once and node components per selected node', async () => {
    const { componentTargets } = await import('./fault-injectors.js');
    const pids = {
      apiserver: 10,
      controller: 11,
      'node-agent-node-1': 12,
      'proxy-node-1': 13,
      'dns-node-1': 14,
      'node-agent-node-2': 15,
      'proxy-node-2': 16,
      'node-agent-node-10': 17,
    };
    expect(componentTargets(pids, ['apiserver', 'proxy'], []).map((t) => t.key)).toEqual([
      'apiserver',
      'proxy-node-1',
      'proxy-node-2',
    ]);
    expect(componentTargets(pids, ['node-agent', 'dns'], ['node-1'])).toEqual([
      { component: 'node-agent', node: 'node-1', key: 'node-agent-node-1' },
      { component: 'dns', node: 'node-1', key: 'dns-node-1' },
    ]);
    expect(componentTargets(pids, ['dns'], ['node-2'])).toEqual([]);
  });
});

describe('formatReport', () => {
  it('names each fault log sequences and a ready kemu replay command inside it', async () => {
    const { buildReport, formatReport } = await import('./chaos-report.js');
    const report = buildReport({
      experiment: parseExperiment(podKill),
      cluster: 'c1',
      startedMs: 0,
      endedMs: 1_000,
      probe: {
        ...summarizeProbe([]),
        url: 'http://web/',
        target: 'web.default.svc.cluster.local:80 via DNS 10.96.0.10',
        rate: 50,
        fromPod: 'default/chaos-probe',
      },
      faults: [
        {
          action: 'pod-kill',
          target: 'pod default/web-1',
          start: new Date(100).toISOString(),
          end: new Date(110).toISOString(),
          undone: undefined,
          failedRequests: 0,
          recoveryMs: 5,
          log: { before: 9, start: 10, end: 10, replayAt: 12 },
        },
        {
          action: 'partition',
          target: 'node-3',
          start: new Date(200).toISOString(),
          end: undefined,
          undone: undefined,
          failedRequests: 0,
          recoveryMs: null,
          log: { before: 20, start: 21, end: null, replayAt: 21 },
        },
      ],
      faultRecords: [],
      clusterEvents: [],
      fromSeq: 1,
      toSeq: 30,
      interrupted: false,
      errors: [],
    });
    const text = formatReport(report);
    expect(text).toContain('    log #9 before, #10 injected, #10 ended; inside: kemu replay --at seq:12\n');
    expect(text).toContain('    log #20 before, #21 injected, not ended; inside: kemu replay --at seq:21\n');
    expect(report.faults[0]?.log).toEqual({ before: 9, start: 10, end: 10, replayAt: 12 });
  });
});
