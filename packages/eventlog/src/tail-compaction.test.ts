import type { KubeObject, ObjectKey } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from './catch-up.js';
import { type LogEvent, encodeEvent } from './envelope.js';
import { subjectFor } from './subjects.js';
import { peekType, supersededRecords } from './tail-compaction.js';

const ep: ObjectKey = { resource: 'endpoints', namespace: 'default', name: 'web' };
const pod: ObjectKey = { resource: 'pods', namespace: 'default', name: 'p' };

function record(seq: number, key: ObjectKey, type: 'Put' | 'Delete', base?: number): StoredEvent {
  const object = { apiVersion: 'v1', kind: 'X', metadata: { name: key.name, namespace: key.namespace } } as KubeObject;
  const event: LogEvent = {
    v: 1,
    type,
    key,
    uid: 'u',
    time: '2026-01-01T00:00:00Z',
    actor: { component: 't' },
    object,
    ...(base === undefined ? {} : { base }),
  };
  return { seq, subject: subjectFor(key), data: encodeEvent(event) };
}

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);

describe('peekType', () => {
  it('reads the type of an encoded event and refuses anything else', () => {
    expect(peekType(record(1, ep, 'Put').data)).toBe('Put');
    expect(peekType(record(1, ep, 'Delete').data)).toBe('Delete');
    expect(peekType(new TextEncoder().encode('garbage'))).toBeUndefined();
    expect(peekType(new Uint8Array())).toBeUndefined();
  });
});

describe('supersededRecords', () => {
  it('skips the earlier records of an object whose last one replaces it', () => {
    const batch = [record(1, ep, 'Put'), record(2, pod, 'Put'), record(3, ep, 'Put'), record(4, ep, 'Put')];
    expect(sorted(supersededRecords(batch, () => false))).toEqual([1, 3]);
    const deleted = [record(1, ep, 'Put', 0), record(2, ep, 'Delete', 1)];
    expect(sorted(supersededRecords(deleted, () => false))).toEqual([1]);
  });

  it('never skips a record for a copy of itself (delivered twice)', () => {
    const once = record(7, ep, 'Put');
    expect(supersededRecords([once, once], () => true).size).toBe(0);
    expect(sorted(supersededRecords([record(6, ep, 'Put'), once, record(6, ep, 'Put'), once], () => true))).toEqual([
      6,
    ]);
  });

  it('never skips pods', () => {
    const batch = [record(1, pod, 'Put'), record(2, pod, 'Put'), record(3, pod, 'Put')];
    expect(supersededRecords(batch, () => true).size).toBe(0);
  });

  it('skips before an update only when the object is in the view and no earlier record deletes it', () => {
    const updates = [record(5, ep, 'Put', 4), record(6, ep, 'Put', 5)];
    expect(sorted(supersededRecords(updates, () => true))).toEqual([5]);
    // Absent at the batch's start: the first update is refused, and so, without the create, would be the last.
    expect(supersededRecords(updates, () => false).size).toBe(0);
    const deleteThenUpdate = [record(5, ep, 'Delete', 4), record(6, ep, 'Put', 5)];
    expect(supersededRecords(deleteThenUpdate, () => true).size).toBe(0);
  });

  it('keeps every record of a subject that holds one it cannot read', () => {
    const garbage = { seq: 2, subject: subjectFor(ep), data: new TextEncoder().encode('garbage') };
    expect(supersededRecords([record(1, ep, 'Put'), garbage, record(3, ep, 'Put')], () => true).size).toBe(0);
    expect(supersededRecords([record(1, ep, 'Put'), garbage], () => true).size).toBe(0);
  });
});
