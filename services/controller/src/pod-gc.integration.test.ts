import type { Node, Pod } from '@kemu/api';
import { listObjects } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { eventually, startEventLogFixture } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { createPodGcController, markedByPodGC, podsToCollect, terminatedToCollect } from './pod-gc.js';

const log = createLogger({ component: 'test', level: 'silent' });
const NOW = Date.parse('2026-01-02T12:00:00Z');

function pod(
  name: string,
  o: { phase?: string; node?: string; created?: string; evicted?: boolean; deleting?: boolean } = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: o.created ?? '2026-01-02T10:00:00Z',
      ...(o.deleting ? { deletionTimestamp: '2026-01-02T11:59:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'nginx' }],
      ...(o.node === undefined ? { nodeName: 'node-1' } : o.node ? { nodeName: o.node } : {}),
    },
    status: { phase: (o.phase ?? 'Running') as 'Running', ...(o.evicted ? { reason: 'Evicted' } : {}) },
  };
}
const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} }) as Node;
const names = (pods: { metadata: { name: string } }[]) => pods.map((p) => p.metadata.name);

describe('terminatedToCollect', () => {
  it('deletes terminated pods beyond the threshold, evicted first, then oldest first', () => {
    const pods = [
      pod('running', { created: '2026-01-01T00:00:00Z' }),
      pod('done-new', { phase: 'Succeeded', created: '2026-01-02T09:00:00Z' }),
      pod('failed-old', { phase: 'Failed', created: '2026-01-02T07:00:00Z' }),
      pod('done-mid', { phase: 'Succeeded', created: '2026-01-02T08:00:00Z' }),
      pod('evicted-new', { phase: 'Failed', created: '2026-01-02T09:30:00Z', evicted: true }),
    ];
    expect(names(terminatedToCollect(pods, 4))).toEqual([]);
    expect(names(terminatedToCollect(pods, 2))).toEqual(['evicted-new', 'failed-old']);
    expect(names(terminatedToCollect(pods, 1))).toEqual(['evicted-new', 'failed-old', 'done-mid']);
  });

  it('is off with threshold 0 and ignores pods already being deleted', () => {
    const pods = [pod('a', { phase: 'Failed' }), pod('b', { phase: 'Failed', deleting: true })];
    expect(terminatedToCollect(pods, 0)).toEqual([]);
    expect(terminatedToCollect(pods, 1)).toEqual([]);
  });
});

describe('podsToCollect', () => {
  const base = { nowMs: NOW, threshold: 12_500, quarantineMs: 40_000 };

  it('deletes pods of a node missing for the quarantine, not before, and never pods of a known node', () => {
    const pods = [pod('on-gone', { node: 'node-9' }), pod('on-known', { node: 'node-1' })];
    const nodes = [node('node-1')];
    const fresh = podsToCollect({ ...base, pods, nodes, missingSince: new Map([['node-9', NOW - 39_000]]) });
    expect(fresh).toEqual([]);
    const due = podsToCollect({ ...base, pods, nodes, missingSince: new Map([['node-9', NOW - 40_000]]) });
    expect(due.map((v) => [v.pod.metadata.name, v.reason])).toEqual([['on-gone', 'orphaned']]);
  });

  it('deletes a terminating pod that was never scheduled', () => {
    const pods = [pod('unscheduled', { node: '', deleting: true }), pod('pending', { node: '' })];
    expect(podsToCollect({ ...base, pods, nodes: [], missingSince: new Map() }).map((v) => v.reason)).toEqual([
      'unscheduled-terminating',
    ]);
  });

  it('marks an orphaned pod Failed with DisruptionTarget DeletionByPodGC', () => {
    const marked = markedByPodGC(pod('x'), new Date(NOW));
    expect(marked.status?.phase).toBe('Failed');
    expect(marked.status?.conditions).toEqual([
      expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC' }),
    ]);
  });
});

describe('PodGC controller', () => {
  it('deletes the oldest terminated pods over the threshold and the pods of a vanished node', async () => {
    await using fx = await startEventLogFixture({ component: 'controller' });
    const { informer, api: writer } = fx;
    await writer.put({ resource: 'nodes', namespace: '', name: 'node-1' }, node('node-1'), 0);
    const pods = [
      pod('done-1', { phase: 'Succeeded', created: '2026-01-02T08:00:00Z' }),
      pod('done-2', { phase: 'Succeeded', created: '2026-01-02T09:00:00Z' }),
      pod('done-3', { phase: 'Failed', created: '2026-01-02T10:00:00Z' }),
      pod('live', {}),
      pod('orphan', { node: 'node-7' }),
    ];
    for (const p of pods) await writer.put({ resource: 'pods', namespace: 'default', name: p.metadata.name }, p, 0);
    let clock = NOW;
    const gc = createPodGcController(
      { informer, writer, log, now: () => new Date(clock) },
      { threshold: 1, periodMs: 50, quarantineMs: 1_000 },
    );
    const podNames = () => names(listObjects(informer.view, 'pods')).sort();
    gc.start();
    await eventually(() => podNames().length === 3, { what: 'two terminated pods collected' });
    expect(podNames()).toEqual(['done-3', 'live', 'orphan']);
    clock += 1_000;
    await eventually(() => podNames().length === 2, { what: 'the orphan collected' });
    expect(podNames()).toEqual(['done-3', 'live']);
    await gc.stop();
  });
});
