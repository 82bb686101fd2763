import { describe, expect, it } from 'vitest';
import { createView } from './projection.js';
import { decodeSnapshot } from './snapshot.js';
import { concatChunks, encodeSnapshotChunks, snapshotChunks } from './snapshot-chunks.js';
import { encodeEvent } from './envelope.js';

describe('encodeSnapshotChunks', () => {
  it('gives chunks that decode, together, to the view (arrays of every header size, an object larger than a chunk)', () => {
    const view = createView();
    view.seq = 123_456;
    for (let i = 0; i < 3000; i++)
      view.objects.set(`pods/default/p-${i}`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p-${i}`, namespace: 'default', resourceVersion: String(i + 1) },
      });
    const big = 'x'.repeat(400 * 1024);
    view.objects.set('configmaps/default/big', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big', namespace: 'default' },
      data: { big },
    } as never);
    for (let i = 0; i < 70_000; i++) view.lastSeq.set(`pods/default/p-${i}`, i + 1);
    for (let i = 0; i < 5; i++) view.nodeSeq.set(`node-${i}`, i);

    const chunks = encodeSnapshotChunks(view, 1);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.filter((c) => c.length > 256 * 1024)).toHaveLength(1);
    const back = decodeSnapshot(concatChunks(chunks));
    expect(back.seq).toBe(view.seq);
    expect(back.objects).toEqual(view.objects);
    expect(back.lastSeq).toEqual(view.lastSeq);
    expect(back.nodeSeq).toEqual(view.nodeSeq);
  });

  it('encodes, chunk by chunk later, the view as it was when taken, whatever else is packed meanwhile', () => {
    const view = createView();
    view.seq = 9;
    const pod = (name: string, rv: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', resourceVersion: rv },
      spec: { containers: [{ name: 'c', image: 'x'.repeat(200) }] },
    });
    for (let i = 0; i < 4000; i++) view.objects.set(`pods/default/p-${i}`, pod(`p-${i}`, '1'));
    view.lastSeq.set('pods/default/p-0', 1);
    const taken = encodeSnapshotChunks(view, 1);
    const lazy = snapshotChunks(view, 1);
    view.objects.set('pods/default/p-0', pod('p-0', '10'));
    view.objects.delete('pods/default/p-1');
    view.objects.set('pods/default/new', pod('new', '11'));
    view.lastSeq.set('pods/default/p-0', 10);
    view.seq = 11;
    const chunks: Uint8Array[] = [];
    for (let next = lazy.next(); !next.done; next = lazy.next()) {
      chunks.push(next.value);
      encodeEvent({
        v: 1,
        type: 'Put',
        key: { resource: 'pods', namespace: 'default', name: 'n' },
        uid: 'u',
        time: 't',
        actor: { component: 'c' },
        object: pod('n', '1'),
      });
    }
    expect(chunks.length).toBeGreaterThan(2);
    expect(concatChunks(chunks)).toEqual(concatChunks(taken));
    expect(decodeSnapshot(concatChunks(chunks)).objects.get('pods/default/p-0')?.metadata.resourceVersion).toBe('1');
  });
});
