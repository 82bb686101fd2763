import type { Pod, PodStatus } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from './envelope.js';
import { type View, createView, expectedNodeSeq, foldRecord, seenSeq } from './projection.js';
import { nodeStatusSubjectFor, subjectFor } from './subjects.js';

const key = { resource: 'pods', namespace: 'default', name: 'web' } as const;
const pod = (nodeName?: string, status: PodStatus = { phase: 'Pending' }): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', labels: { app: 'web' } },
  spec: { containers: [], ...(nodeName ? { nodeName } : {}) },
  status,
});
const record = (type: LogEvent['type'], object: Pod | LogEvent['object'], base?: number): LogEvent => ({
  v: 1,
  type,
  key,
  uid: object.metadata.uid ?? '',
  time: '2026-01-01T00:00:00Z',
  actor: { component: 'test' },
  object,
  ...(base === undefined ? {} : { base }),
});
/** A node's status record as the pod status writer builds it. */
const statusRecord = (status: PodStatus, base: number, type: LogEvent['type'] = 'Put', uid = 'u1'): LogEvent => ({
  ...record(type, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid }, status }),
  uid,
  base,
});
const on = (node: string) => nodeStatusSubjectFor(node, key);
const current = (view: View) => view.objects.get('pods/default/web') as Pod | undefined;

/** A view holding the pod created at 1 and bound to node-1 at 2. */
function bound(): View {
  const view = createView();
  foldRecord(view, 1, subjectFor(key), record('Put', pod()));
  foldRecord(view, 2, subjectFor(key), record('Put', pod('node-1'), 1));
  return view;
}

describe('the projection of node status records', () => {
  it("replaces a bound pod's status and nothing else, its resourceVersion the record's sequence", () => {
    const view = bound();
    const folded = foldRecord(view, 3, on('node-1'), statusRecord({ phase: 'Running', podIP: '10.244.1.5' }, 2));
    expect(folded.refused).toBeUndefined();
    expect(folded.change?.type).toBe('MODIFIED');
    expect(current(view)?.status).toEqual({ phase: 'Running', podIP: '10.244.1.5' });
    expect(current(view)?.metadata).toMatchObject({ labels: { app: 'web' }, resourceVersion: '3', uid: 'u1' });
    expect(current(view)?.spec.nodeName).toBe('node-1');
    expect(expectedNodeSeq(view, 'node-1', key)).toBe(3);
  });

  it('refuses the status from another node, of another uid, of an unbound pod, or built on an older status', () => {
    const view = bound();
    expect(foldRecord(view, 3, on('node-2'), statusRecord({ phase: 'Failed' }, 2)).refused).toMatch(
      /node node-2 for a pod bound to node-1/,
    );
    expect(foldRecord(view, 4, on('node-1'), statusRecord({ phase: 'Failed' }, 2, 'Put', 'u0')).refused).toMatch(/uid/);
    expect(foldRecord(view, 5, on('node-1'), statusRecord({ phase: 'Running' }, 4)).refused).toBeUndefined();
    // Built on resourceVersion 4, but the node's status changed at 5.
    expect(foldRecord(view, 6, on('node-1'), statusRecord({ phase: 'Failed' }, 4)).refused).toMatch(/stale|last is 5/);
    expect(current(view)?.status?.phase).toBe('Running');
    expect(current(view)?.metadata.resourceVersion).toBe('5');
    // Refused records still count for the subject's compare-and-set base.
    expect(expectedNodeSeq(view, 'node-1', key)).toBe(6);
    expect(expectedNodeSeq(view, 'node-2', key)).toBe(3);

    const unbound = createView();
    foldRecord(unbound, 1, subjectFor(key), record('Put', pod()));
    expect(foldRecord(unbound, 2, on('node-1'), statusRecord({ phase: 'Running' }, 1)).refused).toMatch(/no node/);
    expect(foldRecord(createView(), 1, on('node-1'), statusRecord({ phase: 'Running' }, 0)).refused).toMatch(
      /not in the view/,
    );
  });

  it('lets a refused record on the subject never make the next honest status stale', () => {
    const view = bound();
    expect(foldRecord(view, 3, on('node-1'), statusRecord({ phase: 'Failed' }, 2, 'Put', 'u0')).refused).toBeDefined();
    expect(current(view)?.metadata.resourceVersion).toBe('2');
    expect(seenSeq(view, key)).toBe(3);
    expect(
      foldRecord(view, 4, on('node-1'), statusRecord({ phase: 'Running' }, seenSeq(view, key))).refused,
    ).toBeUndefined();
    expect(current(view)?.status?.phase).toBe('Running');
  });

  it("keeps a node's newer status against a spec write built before it, and takes a current writer's status", () => {
    const view = bound();
    foldRecord(view, 3, on('node-1'), statusRecord({ phase: 'Running' }, 2));
    // A label change read at resourceVersion 2 (before the node's status) carries the old status.
    const relabelled = { ...pod('node-1'), metadata: { ...pod().metadata, labels: { app: 'web', v: '2' } } };
    foldRecord(view, 4, subjectFor(key), record('Put', relabelled, 2));
    expect(current(view)?.metadata.labels).toEqual({ app: 'web', v: '2' });
    expect(current(view)?.status?.phase).toBe('Running');
    // The control plane marking the pod after reading the latest version: its status applies.
    foldRecord(view, 5, subjectFor(key), record('Put', pod('node-1', { phase: 'Failed', reason: 'Evicted' }), 4));
    expect(current(view)?.status).toEqual({ phase: 'Failed', reason: 'Evicted' });
    // A record without a base (written before bases existed) applies whole, as it always did.
    foldRecord(view, 6, subjectFor(key), record('Put', pod('node-1', { phase: 'Succeeded' })));
    expect(current(view)?.status?.phase).toBe('Succeeded');
  });

  it("removes the pod on the node's final Delete, and a spec write that raced it cannot bring it back", () => {
    const view = bound();
    const removed = foldRecord(view, 3, on('node-1'), statusRecord({ phase: 'Succeeded' }, 2, 'Delete'));
    expect(removed.change?.type).toBe('DELETED');
    expect(removed.change?.object.status).toEqual({ phase: 'Succeeded' });
    expect(removed.change?.object.spec).toEqual(pod('node-1').spec);
    expect(current(view)).toBeUndefined();
    const late = foldRecord(view, 4, subjectFor(key), record('Put', pod('node-1'), 2));
    expect(late.refused).toMatch(/no longer in the view/);
    expect(current(view)).toBeUndefined();
    // A new pod of that name (a create: no base) comes back.
    expect(
      foldRecord(view, 5, subjectFor(key), record('Put', { ...pod(), metadata: { ...pod().metadata, uid: 'u2' } }))
        .change?.type,
    ).toBe('ADDED');
  });

  it('refuses a record whose key is not the one of its subject', () => {
    const view = bound();
    const other = { ...statusRecord({ phase: 'Failed' }, 2), key: { ...key, name: 'db' } };
    expect(foldRecord(view, 3, on('node-1'), other).refused).toMatch(/pods\/default\/db/);
  });

  it("takes a node's Events whose source is that node, and refuses one of another source", () => {
    const view = createView();
    const ev = (name: string, host: string): LogEvent => ({
      ...record('Put', { apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default', uid: name } }),
      key: { resource: 'events', namespace: 'default', name },
      object: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: 'default', uid: name },
        source: { component: 'kubelet', host },
      },
    });
    const subject = (node: string, name: string) =>
      nodeStatusSubjectFor(node, { resource: 'events', namespace: 'default', name });
    expect(foldRecord(view, 1, subject('node-1', 'a'), ev('a', 'node-1')).change?.type).toBe('ADDED');
    expect(view.objects.get('events/default/a')?.metadata.resourceVersion).toBe('1');
    expect(foldRecord(view, 2, subject('node-1', 'b'), ev('b', 'node-2')).refused).toMatch(/another source/);
    // node-2 cannot overwrite node-1's Event through its own subject either.
    expect(foldRecord(view, 3, subject('node-2', 'a'), ev('a', 'node-2')).refused).toMatch(/another source/);
    expect([...view.objects.keys()]).toEqual(['events/default/a']);
  });
});
