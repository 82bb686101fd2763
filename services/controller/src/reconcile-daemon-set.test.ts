import { type DaemonSet, type Node, type Pod, defaultObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { daemonPod } from './daemonset-controller.js';
import { maxUnavailableOf, reconcileDaemonSet } from './reconcile-daemon-set.js';

const NOW = new Date('2026-01-01T12:00:00Z');

function ds(nodeSelector?: Record<string, string>): DaemonSet {
  return defaultObject<DaemonSet>({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }], ...(nodeSelector ? { nodeSelector } : {}) },
      },
    },
  });
}

function node(name: string, labels: Record<string, string> = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } } as Node;
}

function pod(d: DaemonSet, nodeName: string, hash = 'h1', ready = true): Pod {
  const p = daemonPod(d, d.spec.template, hash, nodeName, `agent-${nodeName}-${hash}`, `u-${nodeName}-${hash}`, NOW);
  p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } as Pod['status'];
  return p;
}

const nodes = [node('node-1', { disk: 'ssd' }), node('node-2'), node('node-3', { disk: 'ssd' })];

describe('reconcileDaemonSet', () => {
  it('creates one pod on every node, or on those the nodeSelector matches', () => {
    expect(reconcileDaemonSet(ds(), nodes, [], 'h1', NOW).create).toEqual(['node-1', 'node-2', 'node-3']);
    const ssd = ds({ disk: 'ssd' });
    const plan = reconcileDaemonSet(ssd, nodes, [pod(ssd, 'node-2')], 'h1', NOW);
    expect(plan.create).toEqual(['node-1', 'node-3']);
    expect(plan.remove.map((p) => p.spec.nodeName)).toEqual(['node-2']);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 2, numberMisscheduled: 1, currentNumberScheduled: 0 });
  });

  it('binds each pod to its node with the daemon affinity and tolerations', () => {
    const p = pod(ds(), 'node-2');
    expect(p.spec.nodeName).toBe('node-2');
    expect(JSON.stringify(p.spec)).toContain(
      '"matchFields":[{"key":"metadata.name","operator":"In","values":["node-2"]}]',
    );
    expect(JSON.stringify(p.spec)).toContain('node.kubernetes.io/unreachable');
    expect(p.metadata.labels).toMatchObject({ 'controller-revision-hash': 'h1', 'pod-template-generation': '2' });
  });

  it('reports the status fields kubectl reads', () => {
    const d = ds();
    const plan = reconcileDaemonSet(
      d,
      nodes,
      nodes.map((n) => pod(d, n.metadata.name)),
      'h1',
      NOW,
    );
    expect(plan.status).toEqual({
      currentNumberScheduled: 3,
      numberMisscheduled: 0,
      desiredNumberScheduled: 3,
      numberReady: 3,
      observedGeneration: 2,
      updatedNumberScheduled: 3,
      numberAvailable: 3,
    });
  });

  it('rolls one node at a time (maxUnavailable 1), waiting while a node has no available pod', () => {
    const d = ds();
    const old = nodes.map((n) => pod(d, n.metadata.name, 'h0'));
    expect(reconcileDaemonSet(d, nodes, old, 'h1', NOW).remove).toHaveLength(1);
    const oneDown = [pod(d, 'node-1', 'h1', false), pod(d, 'node-2', 'h0'), pod(d, 'node-3', 'h0')];
    expect(reconcileDaemonSet(d, nodes, oneDown, 'h1', NOW).remove).toEqual([]);
    expect(
      maxUnavailableOf({ ...d, spec: { ...d.spec, updateStrategy: { rollingUpdate: { maxUnavailable: '50%' } } } }, 3),
    ).toBe(2);
  });
});
