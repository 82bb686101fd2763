import { describe, expect, it } from 'vitest';
import { planTransaction } from './plan-transaction.js';
import { renderRuleSet } from './render-rule-set.js';
import { desiredPort, desiredState } from './testing/desired-fixture.js';

const web = (endpoints: string[], timeoutSeconds = 10_800) =>
  desiredPort('web', '10.96.0.10', 80, endpoints, { sessionAffinity: 'ClientIP', timeoutSeconds });

describe('planTransaction', () => {
  it('plans nothing when nothing changed', () => {
    const rs = renderRuleSet(desiredState(web(['10.244.1.2:8080'])));
    expect(planTransaction({ applied: rs, wanted: renderRuleSet(desiredState(web(['10.244.1.2:8080']))) })).toEqual([]);
  });

  it('deletes a removed service port: flushes its chains first, drops its elements, deletes chains last', () => {
    const applied = renderRuleSet(desiredState(web(['10.244.1.2:8080'])));
    const lines = planTransaction({ applied, wanted: renderRuleSet(desiredState()) });
    const firstFlush = lines.findIndex((l) => l.startsWith('flush chain'));
    const deleteElement = lines.findIndex((l) => l.startsWith('delete element ip kube-proxy service-ips'));
    const deleteSet = lines.findIndex((l) => l.startsWith('delete set ip kube-proxy affinity-'));
    const firstDeleteChain = lines.findIndex((l) => l.startsWith('delete chain'));
    expect(firstFlush).toBeGreaterThanOrEqual(0);
    expect(firstFlush).toBeLessThan(deleteSet);
    expect(deleteElement).toBeLessThan(firstDeleteChain);
    expect(lines.filter((l) => l.startsWith('delete chain'))).toHaveLength(2);
    expect(lines.at(-1)?.startsWith('delete chain')).toBe(true);
  });

  it('recreates an affinity set whose timeout changed and rewrites the chains that use it', () => {
    const applied = renderRuleSet(desiredState(web(['10.244.1.2:8080'])));
    const lines = planTransaction({ applied, wanted: renderRuleSet(desiredState(web(['10.244.1.2:8080'], 60))) });
    const del = lines.findIndex((l) => l.startsWith('delete set ip kube-proxy affinity-'));
    const add = lines.findIndex((l) => l.startsWith('add set ip kube-proxy affinity-') && l.includes('timeout 60s'));
    expect(del).toBeGreaterThan(lines.findLastIndex((l) => l.startsWith('flush chain')));
    expect(add).toBeGreaterThan(del);
    expect(lines.filter((l) => l.startsWith('flush chain'))).toHaveLength(2);
  });

  it('never flushes an affinity set, even in a full sync', () => {
    const lines = planTransaction({
      applied: undefined,
      wanted: renderRuleSet(desiredState(web(['10.244.1.2:8080']))),
      existing: { chains: [], sets: [], maps: [] },
    });
    expect(lines.some((l) => l.startsWith('flush set ip kube-proxy affinity-'))).toBe(false);
    expect(lines).toContain('flush map ip kube-proxy service-ips');
  });

  it('deletes in a full sync what the kernel holds and the rule set does not', () => {
    const lines = planTransaction({
      applied: undefined,
      wanted: renderRuleSet(desiredState()),
      existing: { chains: ['services', 'service-OLD-x/y/tcp/'], sets: ['affinity-OLD'], maps: ['old-map'] },
    });
    expect(lines).toContain('flush chain ip kube-proxy service-OLD-x/y/tcp/');
    expect(lines).toContain('delete set ip kube-proxy affinity-OLD');
    expect(lines).toContain('delete map ip kube-proxy old-map');
    expect(lines.at(-1)).toBe('delete chain ip kube-proxy service-OLD-x/y/tcp/');
    expect(lines).not.toContain('delete chain ip kube-proxy services');
  });

  it('splits a large element list into statements of at most 500 elements', () => {
    const ports = Array.from({ length: 1200 }, (_, i) =>
      desiredPort(`s${i}`, `10.96.${i >> 8}.${i & 255}`, 80, [`10.244.1.2:${1000 + i}`]),
    );
    const lines = planTransaction({
      applied: undefined,
      wanted: renderRuleSet(desiredState(...ports)),
      existing: { chains: [], sets: [], maps: [] },
    });
    expect(lines.filter((l) => l.startsWith('add element ip kube-proxy service-ips'))).toHaveLength(3);
  });
});
