import { describe, expect, it } from 'vitest';
import { createView } from './projection.js';
import { decodeSnapshot } from './snapshot.js';
import { concatChunks, encodeSnapshotChunks } from './snapshot-chunks.js';

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
});
