import { describe, expect, it } from 'vitest';
import { createEvictionBackoff } from './node-lifecycle-eviction-backoff.js';

describe('eviction backoff', () => {
  it('lets the first round run and doubles the wait for later rounds of the same node', () => {
    const b = createEvictionBackoff({ initialMs: 1_000, maxMs: 4_000 });
    expect(b.waitMs('n1', 0)).toBe(0);
    b.evicted('n1', 0);
    expect(b.waitMs('n1', 10)).toBe(990);
    expect(b.waitMs('n2', 10)).toBe(0);
    expect(b.waitMs('n1', 1_000)).toBe(0);
    b.evicted('n1', 1_000);
    expect(b.waitMs('n1', 1_000)).toBe(2_000);
    b.evicted('n1', 3_000);
    b.evicted('n1', 7_000);
    expect(b.waitMs('n1', 7_000)).toBe(4_000);
  });

  it('starts over once the node is reset', () => {
    const b = createEvictionBackoff({ initialMs: 1_000 });
    b.evicted('n1', 0);
    b.evicted('n1', 1_000);
    b.reset('n1');
    expect(b.waitMs('n1', 1_001)).toBe(0);
    b.evicted('n1', 1_001);
    expect(b.waitMs('n1', 1_001)).toBe(1_000);
  });
});
