import { describe, expect, it } from 'vitest';
import { createChangeHistory } from './change-history.js';
import type { WatchChange } from './watch-filter.js';

const change = (seq: number, resource = 'pods'): WatchChange => ({
  type: 'ADDED',
  seq,
  key: { resource, namespace: 'default', name: `p${seq}` },
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${seq}` } },
  old: undefined,
});

describe('change history', () => {
  it('replays the changes after a sequence', () => {
    const h = createChangeHistory(10);
    for (const s of [11, 12, 15]) h.record(change(s));
    expect(h.since(10, 'pods')?.map((c) => c.seq)).toEqual([11, 12, 15]);
    expect(h.since(12, 'pods')?.map((c) => c.seq)).toEqual([15]);
    expect(h.since(20, 'pods')).toEqual([]);
    expect(h.since(9, 'pods')).toBeUndefined();
  });

  it('gives back each object and old object as recorded, across chunks and past one larger than a chunk', () => {
    const h = createChangeHistory(0, { bytes: 64 * 1024 * 1024 });
    const big = 'x'.repeat(400 * 1024);
    const recorded: WatchChange[] = [];
    for (let s = 1; s <= 3000; s++) {
      const c: WatchChange = {
        type: 'MODIFIED',
        seq: s,
        key: { resource: 'pods', namespace: 'default', name: `p${s % 7}` },
        object: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `p${s % 7}`, annotations: { n: s === 1500 ? big : `${s}` } },
        },
        old: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${s % 7}`, annotations: { n: `${s - 1}` } } },
      };
      recorded.push(c);
      h.record(c);
    }
    expect(h.since(0, 'pods')).toEqual(recorded);
    expect(h.since(2990, 'pods')).toEqual(recorded.slice(2990));
  });

  it('expires sequences the ring no longer reaches', () => {
    const h = createChangeHistory(0, { changes: 3 });
    for (let s = 1; s <= 5; s++) h.record(change(s));
    expect(h.floor('pods')).toBe(2);
    expect(h.since(1, 'pods')).toBeUndefined();
    expect(h.since(2, 'pods')?.map((c) => c.seq)).toEqual([3, 4, 5]);
    expect(h.since(4, 'pods')?.map((c) => c.seq)).toEqual([5]);
  });

  it('keeps a ring per resource: a burst of one resource expires none of another', () => {
    const h = createChangeHistory(0, { changes: 3 });
    h.record(change(1, 'pods'));
    for (let s = 2; s <= 20; s++) h.record(change(s, 'events'));
    expect(h.since(0, 'pods')?.map((c) => c.seq)).toEqual([1]);
    expect(h.since(5, 'events')).toBeUndefined();
    expect(h.since(17, 'events')?.map((c) => c.seq)).toEqual([18, 19, 20]);
    expect(h.since(0, 'services')).toEqual([]);
    expect(h.floor('services')).toBe(0);
  });

  it('bounds a ring by the bytes of the changes it holds, object and old, always keeping the newest change', () => {
    const sized = (seq: number, size: number): WatchChange => {
      const c = change(seq);
      return { ...c, type: 'MODIFIED', object: { ...c.object, data: { x: 'x'.repeat(size) } } as never, old: c.object };
    };
    const h = createChangeHistory(0, { bytes: 1000 });
    for (let s = 1; s <= 4; s++) h.record(sized(s, 350));
    expect(h.floor('pods')).toBe(2);
    expect(h.since(2, 'pods')?.map((c) => c.seq)).toEqual([3, 4]);
    h.record(sized(5, 5000));
    expect(h.since(4, 'pods')?.map((c) => c.seq)).toEqual([5]);
    expect(h.since(3, 'pods')).toBeUndefined();
  });

  it('bounds all rings together, taking from the ring holding the most bytes', () => {
    const sized = (seq: number, resource: string, size: number): WatchChange => {
      const c = change(seq, resource);
      return { ...c, object: { ...c.object, data: { x: 'x'.repeat(size) } } as never };
    };
    // Each change is ~350 bytes encoded: four fit in the total, five do not.
    const h = createChangeHistory(0, { bytes: 10_000, totalBytes: 1500 });
    h.record(sized(1, 'services', 300));
    h.record(sized(2, 'services', 300));
    for (let s = 3; s <= 8; s++) h.record(sized(s, 'events', 300));
    // The events ring is the largest each time: it gives up its changes, the services ring keeps both.
    expect(h.since(0, 'services')?.map((c) => c.seq)).toEqual([1, 2]);
    expect(h.since(6, 'events')?.map((c) => c.seq)).toEqual([7, 8]);
    expect(h.since(5, 'events')).toBeUndefined();
    // A ring never gives up its newest change, however large: the others give up all but theirs.
    h.record(sized(9, 'pods', 1400));
    expect(h.since(8, 'pods')?.map((c) => c.seq)).toEqual([9]);
    expect(h.since(7, 'events')?.map((c) => c.seq)).toEqual([8]);
    expect(h.since(1, 'services')?.map((c) => c.seq)).toEqual([2]);
    expect(h.since(0, 'services')).toBeUndefined();
  });

  it('stays complete across compactions of a long ring', () => {
    const h = createChangeHistory(0, { changes: 1500 });
    for (let s = 1; s <= 5000; s++) h.record(change(s));
    expect(h.floor('pods')).toBe(3500);
    const after = h.since(3500, 'pods')?.map((c) => c.seq) ?? [];
    expect(after).toHaveLength(1500);
    expect(after[0]).toBe(3501);
    expect(after.at(-1)).toBe(5000);
    expect(h.since(4990, 'pods')?.map((c) => c.seq)).toEqual([
      4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000,
    ]);
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

  it('gives back each change as it was recorded, object and old, though the live object changes after', () => {
    const h = createChangeHistory(0);
    const old = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', resourceVersion: '1', labels: { a: 'b' } } };
    const object = { ...old, metadata: { ...old.metadata, resourceVersion: '2' }, status: { phase: 'Running' } };
    h.record({ type: 'MODIFIED', seq: 2, key: { resource: 'pods', namespace: '', name: 'p' }, object, old });
    h.record(change(3));
    object.status.phase = 'Failed';
    const [modified, added] = h.since(1, 'pods') ?? [];
    expect(modified?.type).toBe('MODIFIED');
    expect(modified?.object).toEqual({ ...object, status: { phase: 'Running' } });
    expect(modified?.old).toEqual(old);
    expect(added?.old).toBeUndefined();
    expect(added?.object.metadata.name).toBe('p3');
  });
});
