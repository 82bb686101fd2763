import { describe, expect, it } from 'vitest';
// @ts-expect-error: the page's modules are plain JavaScript, bundled by esbuild.
import { assignSlots } from './slots.js';

const rows = (slots: Map<string, Map<string, number>>, g: string) => Object.fromEntries(slots.get(g) ?? []);

describe('assignSlots', () => {
  it('gives rows in key order from an empty start', () => {
    const s = assignSlots(new Map(), new Map([['node-1', ['a', 'c', 'e']]]));
    expect(rows(s, 'node-1')).toEqual({ a: 0, c: 1, e: 2 });
  });

  it('keeps every row when a member appears between others, the newcomer taking the next free row', () => {
    const s0 = assignSlots(new Map(), new Map([['node-1', ['a', 'c', 'e']]]));
    const s1 = assignSlots(s0, new Map([['node-1', ['a', 'b', 'c', 'e']]]));
    expect(rows(s1, 'node-1')).toEqual({ a: 0, c: 1, e: 2, b: 3 });
  });

  it('leaves a deleted member a hole that the next newcomer fills', () => {
    const s0 = assignSlots(new Map(), new Map([['node-1', ['a', 'c', 'e']]]));
    const s1 = assignSlots(s0, new Map([['node-1', ['a', 'e']]]));
    expect(rows(s1, 'node-1')).toEqual({ a: 0, e: 2 });
    const s2 = assignSlots(s1, new Map([['node-1', ['a', 'e', 'f', 'g']]]));
    expect(rows(s2, 'node-1')).toEqual({ a: 0, e: 2, f: 1, g: 3 });
  });
});
