import type { Node, Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import {
  evictPod,
  heartbeatDeadline,
  isNodeUnreachable,
  markPodNotReady,
  notReadyForMs,
  reconcileNodeHealth,
} from './node-health.js';

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

describe('notReadyForMs', () => {
  it('measures from the Ready transition of a node that is not ready', () => {
    expect(notReadyForMs(node('2025-01-01T00:00:50Z'), now)).toBeUndefined();
    expect(notReadyForMs(node('2025-01-01T00:00:10Z', 'Unknown'), now)).toBe(60_000);
    expect(notReadyForMs(node('2025-01-01T00:00:10Z', 'False'), now)).toBe(60_000);
  });
});

describe('evictPod', () => {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'u1' },
    spec: { containers: [], nodeName: 'node-1', terminationGracePeriodSeconds: 5 },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] },
  };

  it('adds DisruptionTarget and a graceful deletion', () => {
    const evicted = evictPod(pod, now) as Pod;
    expect(evicted.metadata).toMatchObject({
      deletionTimestamp: '2025-01-01T00:01:05Z',
      deletionGracePeriodSeconds: 5,
    });
    expect(evicted.status?.conditions).toContainEqual({
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
      lastTransitionTime: '2025-01-01T00:01:00Z',
    });
  });

  it('leaves pods that are finished or already being deleted alone', () => {
    expect(evictPod({ ...pod, status: { phase: 'Succeeded' } }, now)).toBeUndefined();
    expect(evictPod(evictPod(pod, now) as Pod, now)).toBeUndefined();
  });

  it('never evicts a mirror pod (a static pod the node runs by itself)', () => {
    const mirror: Pod = {
      ...pod,
      metadata: { ...pod.metadata, annotations: { 'kubernetes.io/config.mirror': 'u1' } },
      spec: { ...pod.spec, hostNetwork: true },
    };
    expect(evictPod(mirror, now)).toBeUndefined();
  });
});

describe('heartbeatDeadline', () => {
  it('is the last heartbeat plus the grace, and undefined once the node is Unknown', () => {
    expect(heartbeatDeadline(node('2025-01-01T00:00:10Z'), 40_000)).toBe(Date.parse('2025-01-01T00:00:50Z'));
    expect(heartbeatDeadline(node('2025-01-01T00:00:10Z', 'Unknown'), 40_000)).toBeUndefined();
  });
});
