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
