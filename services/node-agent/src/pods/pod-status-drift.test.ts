import type { PodStatus } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { podStatusDrift } from './pod-status-drift.js';

const t = '2026-11-26T10:00:00Z';
const running: PodStatus = {
  phase: 'Running',
  podIP: '10.244.1.2',
  conditions: [
    { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: t },
    { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: t },
  ],
  containerStatuses: [
    {
      name: 'web',
      image: 'nginx',
      imageID: '',
      ready: true,
      restartCount: 0,
      state: { running: { startedAt: t } },
      lastState: {},
    },
  ],
};

describe('podStatusDrift', () => {
  it('finds nothing when only timestamps and foreign conditions differ', () => {
    const stored: PodStatus = {
      ...running,
      conditions: [
        ...(running.conditions ?? []).map((c) => ({ ...c, lastTransitionTime: '2026-11-26T11:00:00Z' })),
        { type: 'DisruptionTarget', status: 'True', lastTransitionTime: t },
      ],
    };
    expect(podStatusDrift(running, stored)).toEqual([]);
  });

  it('names a Ready condition another writer turned False', () => {
    const stored: PodStatus = {
      ...running,
      conditions: (running.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c)),
    };
    expect(podStatusDrift(running, stored)).toEqual(['condition:Ready']);
  });

  it('names phase, pod IP and container state differences, and a missing status', () => {
    const stored: PodStatus = {
      ...running,
      phase: 'Pending',
      podIP: '10.244.1.3',
      containerStatuses: [{ ...running.containerStatuses![0]!, ready: false }],
    };
    expect(podStatusDrift(running, stored)).toEqual(['phase', 'podIP', 'container:web']);
    expect(podStatusDrift(running, undefined)).toEqual([
      'phase',
      'condition:Ready',
      'condition:ContainersReady',
      'podIP',
      'container:web',
    ]);
  });
});
