import { describe, expect, it } from 'vitest';
// @ts-expect-error: the page's modules are plain JavaScript, bundled by esbuild.
import { anatomy, indexSummaries, shares, similar } from './model.js';

const pod = (name: string, labels: Record<string, string>, ready = true, ip = '') => ({
  kind: 'pod',
  key: `pods/default/${name}`,
  namespace: 'default',
  name,
  node: 'node-1',
  phase: 'Running',
  ready,
  readyReason: '',
  ip,
  labels,
  deleting: false,
  role: 'workload',
});
const svc = {
  kind: 'service',
  key: 'services/default/web',
  namespace: 'default',
  name: 'web',
  clusterIP: '10.96.0.20',
  ports: [],
  selector: { app: 'web', tier: 'frontend' },
  sessionAffinity: 'None',
};

describe('the page model', () => {
  it('finds matching pods and near misses with the label that differs', () => {
    const index = indexSummaries(
      new Map(
        [
          pod('a', { app: 'web', tier: 'frontend' }, false),
          pod('b', { app: 'web', tier: 'frontnd' }),
          pod('c', { app: 'web' }),
          pod('d', { app: 'db', tier: 'backend' }),
          svc,
        ].map((x) => [x.key, x]),
      ),
    );
    const a = anatomy(index, svc);
    expect(a.matching.map((p: { name: string }) => p.name)).toEqual(['a']);
    expect(a.near.map((n: { pod: { name: string }; label: string }) => [n.pod.name, n.label])).toEqual([
      ['b', 'tier'],
      ['c', 'tier'],
    ]);
    expect(a.why).toBe('1 pod(s) match, but none is Ready: connections to 10.96.0.20 are refused.');
  });

  it('derives an index from the previous one, keeping every part that did not change', () => {
    const slice = (name: string, service: string) => ({
      kind: 'slice',
      key: `endpointslices/default/${name}`,
      namespace: 'default',
      service,
      endpoints: [],
    });
    const summaries = new Map<string, object>(
      [pod('b', {}, true, '10.0.0.2'), pod('a', {}, true, '10.0.0.1'), svc, slice('web-1', 'web')].map((x) => [
        x.key,
        x,
      ]),
    );
    const first = indexSummaries(summaries);
    expect(first.pods.map((p: { name: string }) => p.name)).toEqual(['a', 'b']);

    summaries.set('pods/default/b', { ...pod('b', {}, false, '10.0.0.2') });
    const second = indexSummaries(summaries, first);
    expect(second.pods.map((p: { ready: boolean }) => p.ready)).toEqual([true, false]);
    expect(second.pods).not.toBe(first.pods);
    expect(second.podByIP.get('10.0.0.2').ready).toBe(false);
    expect(second.services).toBe(first.services);
    expect(second.slices).toBe(first.slices);
    expect(second.slicesByService).toBe(first.slicesByService);

    summaries.set('endpointslices/default/web-2', slice('web-2', 'web'));
    summaries.delete('pods/default/a');
    const third = indexSummaries(summaries, second);
    expect(third.pods.map((p: { name: string }) => p.name)).toEqual(['b']);
    expect(third.slicesByService.get('default/web').map((e: { key: string }) => e.key)).toEqual([
      'endpointslices/default/web-1',
      'endpointslices/default/web-2',
    ]);
    expect(third.services).toBe(first.services);
    expect(indexSummaries(summaries, third)).toBe(third);
  });

  it('tells a typo from a different value', () => {
    expect(similar('frontend', 'frontnd')).toBe(true);
    expect(similar('web', 'webb')).toBe(true);
    expect(similar('web', 'db')).toBe(false);
  });

  it('counts connections per endpoint against an even share of the candidates, weighted when sampled', () => {
    const conn = (endpoint: string, weight?: number) => ({
      kind: 'conn',
      service: 'default/web',
      endpoint,
      candidates: ['a:80', 'b:80', 'c:80'],
      ...(weight ? { weight } : {}),
    });
    const [s] = shares([conn('a:80'), conn('a:80'), conn('b:80', 2)]);
    expect(s.total).toBe(4);
    expect(s.rows).toEqual([
      { endpoint: 'a:80', count: 2, share: 0.5, even: 1 / 3 },
      { endpoint: 'b:80', count: 2, share: 0.5, even: 1 / 3 },
      { endpoint: 'c:80', count: 0, share: 0, even: 1 / 3 },
    ]);
  });
});
