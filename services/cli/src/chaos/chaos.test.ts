import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { ExperimentInvalidError } from './errors.js';
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
    const dir = fileURLToPath(new URL('../../../../infra/chaos/', import.meta.url));
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml') && f !== 'web.yaml');
    const actions = new Set<string>();
    for (const f of files) actions.add(parseExperiment(await readFile(`${dir}${f}`, 'utf8')).action);
    expect([...actions].sort()).toEqual(
      ['component-kill', 'container-kill', 'latency', 'loss', 'node-kill', 'partition', 'pause', 'pod-kill'].sort(),
    );
  });
});

describe('interpretEvents', () => {
  const ev = (type: 'Put' | 'Delete', resource: string, name: string, object: unknown, uid = `uid-${name}`) => ({
    v: 1,
    type,
    key: { resource, namespace: resource === 'nodes' ? '' : 'default', name },
    uid,
    time: '2026-01-01T00:00:00.000Z',
    actor: { component: 'controller' },
    object: object as never,
  });
  const readyPod = (ready: boolean, extra: object = {}) => ({
    metadata: { name: 'web-1', ...extra },
    spec: { nodeName: 'node-2' },
    status: { podIP: '10.244.2.5', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });

  it('reports terminating, NotReady, deleted, endpoint and node changes with their sequences', async () => {
    const { interpretEvents } = await import('./event-timeline.js');
    const slice = (addresses: string[]) => ({
      metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
      endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    });
    const node = (ready: boolean) => ({
      metadata: { name: 'node-2' },
      status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    });
    const out = interpretEvents(
      [
        { seq: 10, event: ev('Put', 'pods', 'web-1', readyPod(true, { deletionTimestamp: 'x' })) },
        { seq: 11, event: ev('Put', 'endpointslices', 'web-abc', slice(['10.244.1.2'])) },
        { seq: 12, event: ev('Put', 'pods', 'web-1', readyPod(false, { deletionTimestamp: 'x' })) },
        { seq: 13, event: ev('Delete', 'pods', 'web-1', readyPod(false)) },
        { seq: 14, event: ev('Put', 'nodes', 'node-2', node(false)) },
        { seq: 15, event: ev('Put', 'leases', 'node-2', {}) },
      ],
      {
        namespaces: ['default'],
        service: { namespace: 'default', name: 'web' },
        initialPodReady: new Map([['uid-web-1', true]]),
        initialNodeReady: new Map([['node-2', true]]),
      },
    );
    expect(out.map((e) => `${e.seq} ${e.object}: ${e.what}`)).toEqual([
      '10 pod default/web-1: terminating',
      '11 endpointslice default/web-abc: ready endpoints [10.244.1.2]',
      '12 pod default/web-1: NotReady',
      '13 pod default/web-1: deleted',
      '14 node node-2: NotReady',
    ]);
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
