import { describe, expect, it } from 'vitest';
import { planTransaction } from './plan-transaction.js';
import { renderRuleSet } from './render-rule-set.js';
import { createRuleSetRenderer } from './rule-set-renderer.js';
import { desiredPort, desiredState } from './testing/desired-fixture.js';

const a = (endpoints: string[]) => desiredPort('a', '10.96.0.10', 80, endpoints, { sessionAffinity: 'ClientIP' });
const b = (endpoints: string[]) => desiredPort('b', '10.96.0.11', 53, endpoints, { protocol: 'UDP' });
const options = { clusterCIDR: '10.244.0.0/16' };

describe('createRuleSetRenderer', () => {
  it('renders what renderRuleSet renders, render after render', () => {
    const r = createRuleSetRenderer(options);
    for (const state of [
      desiredState(a(['10.244.1.2:80']), b([])),
      desiredState(a(['10.244.1.2:80', '10.250.0.1:6443']), b(['10.244.1.3:53'])),
      desiredState(b(['10.244.1.3:53'])),
    ]) {
      expect(r.render(state)).toEqual(renderRuleSet(state, options));
    }
  });

  it('reuses the chains of an unchanged service port, and the planner writes only the changed one', () => {
    const r = createRuleSetRenderer(options);
    const first = r.render(desiredState(a(['10.244.1.2:80']), b(['10.244.1.3:53'])));
    const second = r.render(desiredState(a(['10.244.1.2:80']), b(['10.244.1.4:53'])));
    const aChain = [...first.chains.keys()].find((c) => c.startsWith('service-') && c.includes('/a/'));
    expect(aChain).toBeDefined();
    expect(second.chains.get(aChain as string)).toBe(first.chains.get(aChain as string));
    const lines = planTransaction({ applied: first, wanted: second });
    expect(lines.some((l) => l.includes('/a/'))).toBe(false);
    expect(lines.some((l) => l.includes('dnat to 10.244.1.4:53'))).toBe(true);
  });
});
