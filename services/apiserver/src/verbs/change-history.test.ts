import { describe, expect, it } from 'vitest';
import { createChangeHistory } from './change-history.js';
import type { WatchChange } from './watch-filter.js';

const change = (seq: number): WatchChange => ({
  type: 'ADDED',
  seq,
  key: { resource: 'pods', namespace: 'default', name: `p${seq}` },
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${seq}` } },
  old: undefined,
});

describe('change history', () => {
  it('replays the changes after a sequence', () => {
    const h = createChangeHistory(10);
    for (const s of [11, 12, 15]) h.record(change(s));
    expect(h.since(10)?.map((c) => c.seq)).toEqual([11, 12, 15]);
    expect(h.since(12)?.map((c) => c.seq)).toEqual([15]);
    expect(h.since(20)).toEqual([]);
    expect(h.since(9)).toBeUndefined();
  });

  it('expires sequences the ring no longer reaches', () => {
    const h = createChangeHistory(0, 3);
    for (let s = 1; s <= 5; s++) h.record(change(s));
    expect(h.floor()).toBe(2);
    expect(h.since(1)).toBeUndefined();
    expect(h.since(2)?.map((c) => c.seq)).toEqual([3, 4, 5]);
    expect(h.since(4)?.map((c) => c.seq)).toEqual([5]);
  });

  it('tells subscribers about new changes', () => {
    const h = createChangeHistory(0);
    const seen: number[] = [];
    const off = h.subscribe((c) => seen.push(c.seq));
    h.record(change(1));
    off();
    h.record(change(2));
    expect(seen).toEqual([1]);
  });
});
