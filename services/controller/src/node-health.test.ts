import type { Node, Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { isNodeUnreachable, markPodNotReady, reconcileNodeHealth } from './node-health.js';

const now = new Date('2025-01-01T00:01:00Z');
function node(heartbeat: string | undefined, status: 'True' | 'False' | 'Unknown' = 'True'): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: {},
    status: {
      conditions: heartbeat
        ? [
            {
              type: 'MemoryPressure',
              status: 'False',
              lastHeartbeatTime: heartbeat,
              lastTransitionTime: '2025-01-01T00:00:00Z',
              reason: 'KubeletHasSufficientMemory',
            },
            {
              type: 'Ready',
              status,
              lastHeartbeatTime: heartbeat,
              lastTransitionTime: '2025-01-01T00:00:00Z',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
            },
          ]
        : [],
    },
  };
}

describe('reconcileNodeHealth', () => {
  it('leaves a node with a recent heartbeat alone', () => {
    expect(reconcileNodeHealth(node('2025-01-01T00:00:30Z'), now, 40_000)).toBeUndefined();
  });

  it('sets the conditions of a silent node to Unknown and keeps the last heartbeat', () => {
    const next = reconcileNodeHealth(node('2025-01-01T00:00:10Z'), now, 40_000) as Node;
    expect(next.status?.conditions).toEqual([
      {
        type: 'MemoryPressure',
        status: 'Unknown',
        lastHeartbeatTime: '2025-01-01T00:00:10Z',
        lastTransitionTime: '2025-01-01T00:01:00Z',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      },
      {
        type: 'Ready',
        status: 'Unknown',
        lastHeartbeatTime: '2025-01-01T00:00:10Z',
        lastTransitionTime: '2025-01-01T00:01:00Z',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      },
    ]);
    expect(isNodeUnreachable(next)).toBe(true);
    expect(reconcileNodeHealth(next, new Date('2025-01-01T00:05:00Z'), 40_000)).toBeUndefined();
  });

  it('marks a node that never posted a status once it is older than the grace', () => {
    expect(reconcileNodeHealth(node(undefined), new Date('2025-01-01T00:00:20Z'), 40_000)).toBeUndefined();
    const next = reconcileNodeHealth(node(undefined), now, 40_000) as Node;
    expect(next.status?.conditions).toEqual([
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: '2025-01-01T00:00:00Z',
        lastTransitionTime: '2025-01-01T00:01:00Z',
      },
    ]);
  });
});

describe('markPodNotReady', () => {
  const pod = (ready: 'True' | 'False'): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [], nodeName: 'node-1' },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready, lastTransitionTime: '2025-01-01T00:00:00Z' }],
    },
  });

  it('sets Ready to False once', () => {
    const next = markPodNotReady(pod('True'), now) as Pod;
    expect(next.status?.conditions).toEqual([
      { type: 'Ready', status: 'False', lastTransitionTime: '2025-01-01T00:01:00Z' },
    ]);
    expect(markPodNotReady(next, now)).toBeUndefined();
    expect(markPodNotReady(pod('False'), now)).toBeUndefined();
  });
});
