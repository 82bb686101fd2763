import type { Node, Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { bindPod, markUnschedulable, needsScheduling } from './bind-pod.js';
import { nodeUsage, pickNode, unschedulableMessage } from './pick-node.js';

const node = (name: string, ready: 'True' | 'False' | 'Unknown' | 'none' = 'True', unschedulable = false): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: unschedulable ? { unschedulable } : {},
  status: ready === 'none' ? {} : { conditions: [{ type: 'Ready', status: ready }] },
});
const pod = (name: string, nodeName?: string, phase?: 'Running' | 'Succeeded' | 'Failed'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { containers: [], ...(nodeName ? { nodeName } : {}) },
  status: phase ? { phase } : {},
});
const usageOf = (counts: Record<string, number>) =>
  new Map(Object.entries(counts).map(([n, pods]) => [n, { cpu: 0, memory: 0, pods }]));
const keyOf = (p: Pod) => `pods/default/${p.metadata.name}`;
const now = new Date('2025-01-02T03:04:05.678Z');

describe('pickNode', () => {
  const cases: { name: string; nodes: Node[]; counts: Record<string, number>; want: string | undefined }[] = [
    { name: 'picks the only ready node', nodes: [node('n1', 'False'), node('n2')], counts: {}, want: 'n2' },
    {
      name: 'picks the node with the fewest pods',
      nodes: [node('n1'), node('n2'), node('n3')],
      counts: { n1: 2, n2: 1, n3: 2 },
      want: 'n2',
    },
    {
      name: 'breaks ties by name in natural order',
      nodes: [node('node-10'), node('node-2'), node('node-3')],
      counts: {},
      want: 'node-2',
    },
    { name: 'skips cordoned nodes', nodes: [node('n1', 'True', true), node('n2')], counts: { n2: 5 }, want: 'n2' },
    {
      name: 'skips nodes whose Ready is Unknown or missing',
      nodes: [node('n1', 'Unknown'), node('n2', 'none')],
      counts: {},
      want: undefined,
    },
    { name: 'returns undefined without nodes', nodes: [], counts: {}, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(pickNode(c.nodes, usageOf(c.counts))).toBe(c.want);
    });
  }

  it('puts a pod where its Services have the fewest pods before looking at all pods', () => {
    const nodes = [node('node-1'), node('node-2'), node('node-3')];
    // node-3 runs fewer pods but already one of the Service's: node-2 wins, then the lower name among equals.
    expect(
      pickNode(
        nodes,
        usageOf({ 'node-1': 3, 'node-2': 2, 'node-3': 1 }),
        undefined,
        new Map([
          ['node-3', 1],
          ['node-1', 1],
        ]),
      ),
    ).toBe('node-2');
    expect(pickNode(nodes, usageOf({ 'node-1': 3, 'node-2': 3 }), undefined, new Map([['node-3', 2]]))).toBe('node-1');
  });

  it('spreads pods created at once when bindings are assumed before they are visible', () => {
    const nodes = [node('node-1'), node('node-2'), node('node-3')];
    const pods = [pod('a'), pod('b'), pod('c')];
    const assumed = new Map<string, string>();
    for (const p of pods) {
      const chosen = pickNode(nodes, nodeUsage(pods, assumed, keyOf));
      assumed.set(keyOf(p), chosen as string);
    }
    expect([...assumed.values()].sort()).toEqual(['node-1', 'node-2', 'node-3']);
  });
});

describe('nodeUsage', () => {
  it('counts bound non-terminal pods and assumed bindings not yet in the view', () => {
    const pods = [
      pod('a', 'n1', 'Running'),
      pod('b', 'n1', 'Succeeded'),
      pod('c', 'n2', 'Failed'),
      pod('d', 'n2'),
      pod('e'),
    ];
    const assumed = new Map([
      ['pods/default/d', 'n2'], // already visible: not counted twice
      ['pods/default/e', 'n3'],
    ]);
    expect(Object.fromEntries(nodeUsage(pods, assumed, keyOf))).toEqual({
      n1: { cpu: 0, memory: 0, pods: 1 },
      n2: { cpu: 0, memory: 0, pods: 1 },
      n3: { cpu: 0, memory: 0, pods: 1 },
    });
  });
});

describe('unschedulableMessage', () => {
  it('explains why no node fits', () => {
    expect(unschedulableMessage([])).toBe('no nodes available to schedule pods');
    expect(unschedulableMessage([node('a', 'False'), node('b', 'Unknown'), node('c', 'True', true)])).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });
});

describe('bindPod', () => {
  it('sets nodeName and PodScheduled=True with a transition time', () => {
    const bound = bindPod(pod('a'), 'node-2', now);
    expect(bound.spec.nodeName).toBe('node-2');
    expect(bound.status?.phase).toBe('Pending');
    expect(bound.status?.conditions).toEqual([
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-02T03:04:05Z' },
    ]);
  });

  it('replaces an Unschedulable condition', () => {
    const unschedulable = markUnschedulable(pod('a'), 'no nodes available to schedule pods', now) as Pod;
    const bound = bindPod(unschedulable, 'n1', new Date('2025-01-02T03:05:00Z'));
    expect(bound.status?.conditions).toEqual([
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-02T03:05:00Z' },
    ]);
  });
});

describe('markUnschedulable', () => {
  it('sets PodScheduled=False reason Unschedulable once', () => {
    const p = markUnschedulable(pod('a'), 'no nodes available to schedule pods', now) as Pod;
    expect(p.status?.conditions?.[0]).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' });
    expect(markUnschedulable(p, 'no nodes available to schedule pods', now)).toBeUndefined();
    expect(markUnschedulable(p, 'other', now)?.status?.conditions?.[0]?.message).toBe('other');
  });
});

describe('needsScheduling', () => {
  it('is true only for unbound pods that are not terminating and ask for the default scheduler', () => {
    expect(needsScheduling(pod('a'))).toBe(true);
    expect(needsScheduling(pod('a', 'n1'))).toBe(false);
    expect(needsScheduling({ ...pod('a'), metadata: { name: 'a', deletionTimestamp: '2025-01-01T00:00:00Z' } })).toBe(
      false,
    );
    expect(needsScheduling({ ...pod('a'), spec: { containers: [], schedulerName: 'other' } })).toBe(false);
  });
});
